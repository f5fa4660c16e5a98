"""Courses, lessons, enrolment and progress: the clean API the student apps read."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .serializers import (
    CourseQuerySerializer,
    CourseSerializer,
    LessonPlayerSerializer,
    ProgressSerializer,
    ProgressUpdateSerializer,
)


@extend_schema(parameters=[CourseQuerySerializer], tags=["courses"])
class CourseListApi(ListAPIView):
    serializer_class = CourseSerializer
    filter_backends: list = []

    def get_queryset(self):
        query = CourseQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.course_catalog(user=self.request.user, **query.validated_data)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **selectors.course_context(user=self.request.user)}


def course_detail(*, user, key: str) -> dict:
    course = selectors.course_with_outline(user=user, key=key)
    return CourseSerializer(course, context=selectors.course_context(user=user)).data


class CourseDetailApi(APIView):
    @extend_schema(responses={200: CourseSerializer}, tags=["courses"])
    def get(self, request, course_id: str):
        return Response(course_detail(user=request.user, key=course_id))


class EnrollmentApi(APIView):
    @extend_schema(request=None, responses={200: CourseSerializer, 201: CourseSerializer}, tags=["courses"])
    def post(self, request, course_id: str):
        course = selectors.access_course(request.user, course_id)
        _, created = services.enrollment_create(user=request.user, course=course)
        data = course_detail(user=request.user, key=course_id)
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None}, tags=["courses"])
    def delete(self, request, course_id: str):
        course = selectors.access_course(request.user, course_id)
        services.enrollment_delete(user=request.user, course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonDetailApi(APIView):
    @extend_schema(responses={200: LessonPlayerSerializer}, tags=["courses"])
    def get(self, request, lesson_id: str):
        lesson = selectors.lesson_for_player(user=request.user, key=lesson_id)
        context = selectors.lesson_player_context(user=request.user, lesson=lesson)
        return Response(LessonPlayerSerializer(lesson, context=context).data)


class LessonProgressApi(APIView):
    @extend_schema(responses={200: ProgressSerializer}, tags=["courses"])
    def get(self, request, lesson_id: str):
        lesson = selectors.access_lesson(request.user, lesson_id)
        progress = selectors.progress_for(user=request.user, lesson=lesson)
        if progress is None:
            return Response(ProgressSerializer.not_started(lesson))
        return Response(ProgressSerializer(progress).data)

    @extend_schema(request=ProgressUpdateSerializer, responses={200: ProgressSerializer}, tags=["courses"])
    def patch(self, request, lesson_id: str):
        lesson = selectors.access_lesson(request.user, lesson_id)
        update = ProgressUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        progress = services.lesson_progress_update(user=request.user, lesson=lesson, **update.validated_data)
        return Response(ProgressSerializer(progress).data)
