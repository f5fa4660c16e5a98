"""The student SPA's "experience" endpoints, in the exact shapes it reads:
``{"message", "data"}`` envelopes around the same selectors the clean API uses."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from accounts.serializers import LegacyLoginResponse, legacy_login_data
from core.cache import entries_for
from core.envelope import envelope_serializer, enveloped
from core.pagination import PageNumberPagination
from core.serializers import IsoDateTimeField
from courses import selectors as course_selectors
from courses.catalog_cache import cached_catalog_page, cached_enrolled_course_ids, catalog_keys
from courses.compat_api import PageInfoSerializer, page_info
from courses.serializers import (
    CourseQuerySerializer,
    CourseSerializer,
    LessonPlayerSerializer,
    ProgressSerializer,
    ProgressUpdateSerializer,
)
from courses.services import enrollment_create, lesson_progress_update

from . import selectors, services
from .api import RegisterApi
from .serializers import ExperienceProfileSerializer, ExperienceProfileUpdateSerializer, RegisterSerializer


class CatalogDataSerializer(PageInfoSerializer):
    courses = CourseSerializer(many=True)


class CatalogQuerySerializer(CourseQuerySerializer):
    page = serializers.IntegerField(min_value=1, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)


class ContinueLearningSerializer(serializers.Serializer):
    lesson_id = serializers.CharField()
    lesson_title = serializers.CharField()
    course_id = serializers.CharField()
    course_title = serializers.CharField()
    last_position_seconds = serializers.FloatField(help_text="Where the player resumes.")
    updated_at = IsoDateTimeField(help_text="When the progress was last saved.")


class StudentDashboardCourseSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    title = serializers.CharField()
    lessons_total = serializers.IntegerField(help_text="Lessons the student can open (module and lesson published).")
    lessons_done = serializers.IntegerField(help_text="Of those, the ones completed.")
    enrolled_at = IsoDateTimeField()


class RecentActivitySerializer(serializers.Serializer):
    lesson_id = serializers.CharField()
    lesson_title = serializers.CharField()
    completed = serializers.BooleanField(help_text="The lesson is completed.")
    updated_at = IsoDateTimeField(help_text="When the progress was last saved.")


class DashboardStatsSerializer(serializers.Serializer):
    lessons_done = serializers.IntegerField(help_text="Lessons completed, in every course.")
    time_spent_seconds = serializers.IntegerField(help_text="Seconds spent in lessons, in every course.")
    streak_days = serializers.IntegerField(help_text="Days in a row with progress, up to today or yesterday.")
    courses_enrolled = serializers.IntegerField(help_text="Published courses only.")


class StudentDashboardSerializer(serializers.Serializer):
    continue_learning = ContinueLearningSerializer(allow_null=True, help_text="The unfinished lesson last worked on.")
    stats = DashboardStatsSerializer()
    courses = StudentDashboardCourseSerializer(many=True, help_text="Published courses the student is enrolled in.")
    recent_activity = RecentActivitySerializer(many=True, help_text="The five lessons last worked on.")


ProfileResponse = envelope_serializer("ExperienceProfileResponse", ExperienceProfileSerializer())
CatalogResponse = envelope_serializer("ExperienceCatalogResponse", CatalogDataSerializer())
CourseResponse = envelope_serializer("ExperienceCourseResponse", CourseSerializer())
EnrollResponse = envelope_serializer("ExperienceEnrollResponse", CourseSerializer())
DashboardResponse = envelope_serializer("ExperienceDashboardResponse", StudentDashboardSerializer())
LessonResponse = envelope_serializer("ExperienceLessonResponse", LessonPlayerSerializer())
ProgressResponse = envelope_serializer("ExperienceProgressResponse", ProgressSerializer())

TAGS = ["student app"]


class ExperienceMeApi(APIView):
    @extend_schema(responses={200: ProfileResponse}, tags=TAGS)
    def get(self, request):
        student = services.student_profile_for(user=request.user)
        return enveloped(ExperienceProfileSerializer(student).data)

    @extend_schema(request=ExperienceProfileUpdateSerializer, responses={200: ProfileResponse}, tags=TAGS)
    def patch(self, request):
        serializer = ExperienceProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        student = services.student_profile_for(user=request.user)
        student = services.student_profile_update(student=student, **serializer.validated_data)
        return enveloped(ExperienceProfileSerializer(student).data, message="Profile updated.")


_DEFAULT_CATALOG_QUERY: dict | None = None


def catalog_query(params) -> dict:
    """The validated catalog query. Most requests send none: their (constant) result is
    computed once, as validating builds a fresh copy of every field each time."""
    global _DEFAULT_CATALOG_QUERY
    if not params and _DEFAULT_CATALOG_QUERY is not None:
        return dict(_DEFAULT_CATALOG_QUERY)
    query = CatalogQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    if not params:
        _DEFAULT_CATALOG_QUERY = dict(query.validated_data)
    return dict(query.validated_data)


def catalog_key_parts(query: dict) -> tuple:
    return (query.get("search", ""), query.get("level", ""), query["page"], query["page_size"])


class ExperienceCatalogApi(APIView):
    def cache_keys_read_with_auth(self, request, *, user_id: str) -> list[str]:
        try:
            query = catalog_query(request.query_params)
        except ValidationError:
            return []  # the view refuses it, after authentication as always
        return catalog_keys(key_parts=catalog_key_parts(query), user_id=user_id)

    @extend_schema(
        operation_id="students_experience_catalog_list",
        parameters=[CatalogQuerySerializer],
        responses={200: CatalogResponse},
        tags=TAGS,
    )
    def get(self, request):
        query = catalog_query(request.query_params)
        page, page_size = query.pop("page"), query.pop("page_size")
        filters = query

        def build() -> dict:
            # DRF's paginator: a page past the last is a 404 "Invalid page.", as on every list.
            paginator = PageNumberPagination()
            window = paginator.paginate_queryset(
                course_selectors.course_catalog(user=request.user, **filters), request, view=self
            )
            return {"courses": CourseSerializer(window, many=True).data, **page_info(paginator.page)}

        key_parts = catalog_key_parts({**filters, "page": page, "page_size": page_size})
        found = entries_for(request, catalog_keys(key_parts=key_parts, user_id=request.user.user_id))
        if course_selectors.can_see_drafts(request.user):  # admins see drafts: never from the shared cache
            data = build()
        else:
            data = cached_catalog_page(key_parts=key_parts, build=build, prefetched=found)
        enrolled = cached_enrolled_course_ids(
            user=request.user,
            load=lambda: course_selectors.enrolled_public_course_ids(user=request.user),
            prefetched=found,
        )
        courses = [{**course, "is_enrolled": course["course_id"] in enrolled} for course in data["courses"]]
        return enveloped({**data, "courses": courses})


def course_detail(*, user, key: str) -> dict:
    course = course_selectors.course_with_outline(user=user, key=key)
    return CourseSerializer(course, context=course_selectors.course_context(user=user)).data


class ExperienceCourseApi(APIView):
    @extend_schema(responses={200: CourseResponse}, tags=TAGS)
    def get(self, request, course_id: str):
        return enveloped(course_detail(user=request.user, key=course_id))


class ExperienceEnrollApi(APIView):
    @extend_schema(request=None, responses={200: EnrollResponse, 201: EnrollResponse}, tags=TAGS)
    def post(self, request, course_id: str):
        course = course_selectors.access_course(request.user, course_id)
        _, created = enrollment_create(user=request.user, course=course)
        return enveloped(
            course_detail(user=request.user, key=course_id),
            message="Enrolled." if created else "Already enrolled.",
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ExperienceDashboardApi(APIView):
    @extend_schema(responses={200: DashboardResponse}, tags=TAGS)
    def get(self, request):
        return enveloped(StudentDashboardSerializer(selectors.student_dashboard(user=request.user)).data)


class ExperienceLessonApi(APIView):
    @extend_schema(responses={200: LessonResponse}, tags=TAGS)
    def get(self, request, lesson_id: str):
        lesson = course_selectors.lesson_for_player(user=request.user, key=lesson_id)
        context = course_selectors.lesson_player_context(user=request.user, lesson=lesson)
        return enveloped(LessonPlayerSerializer(lesson, context=context).data)


class ExperienceLessonProgressApi(APIView):
    @extend_schema(request=ProgressUpdateSerializer, responses={200: ProgressResponse}, tags=TAGS)
    def patch(self, request, lesson_id: str):
        lesson = course_selectors.access_lesson(request.user, lesson_id)
        update = ProgressUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        progress = lesson_progress_update(user=request.user, lesson=lesson, **update.validated_data)
        return enveloped(ProgressSerializer(progress).data, message="Progress saved.")


@extend_schema_view(
    post=extend_schema(request=RegisterSerializer, responses={201: LegacyLoginResponse}, tags=["accounts (apps)"])
)
class StudentRegisterApi(RegisterApi):
    # POST /api/accounts/register-student/: the same sign-up, answered in the SPA's login shape.

    def signed_up(self, user, *, code_sent: bool):
        message = (
            "Account created."
            if code_sent
            else "Account created. We could not send your verification code right now; ask for a new one later."
        )
        return enveloped(legacy_login_data(user), message=message, status=status.HTTP_201_CREATED)
