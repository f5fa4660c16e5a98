"""Schools: a public list for the sign-up form, and CRUD for admins."""

from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListCreateAPIView, RetrieveUpdateDestroyAPIView
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.envelope import envelope_serializer, enveloped
from core.pagination import PageNumberPagination
from core.permissions import IsAdminRole

from .models import School, SchoolClass
from .serializers import PublicSchoolListSerializer, PublicSchoolSerializer, SchoolQuerySerializer, SchoolSerializer


class PublicSchoolPagination(PageNumberPagination):
    page_size = 50  # the sign-up form's school picker


PublicSchoolsResponse = envelope_serializer("PublicSchoolsResponse", PublicSchoolListSerializer())


class PublicSchoolListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(parameters=[SchoolQuerySerializer], responses={200: PublicSchoolsResponse}, tags=["schools"])
    def get(self, request):
        query = SchoolQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        search = query.validated_data.get("search", "")
        schools = School.objects.filter(is_active=True)
        if search:
            schools = schools.filter(Q(name__icontains=search) | Q(district__icontains=search))
        # DRF's paginator: a page past the last is a 404 "Invalid page.", as on every list.
        paginator = PublicSchoolPagination()
        window = paginator.paginate_queryset(schools.order_by("name", "id"), request, view=self)
        return enveloped(
            {
                "schools": PublicSchoolSerializer(window, many=True).data,
                "count": paginator.page.paginator.count,
                "page": paginator.page.number,
                "total_pages": paginator.page.paginator.num_pages,
            }
        )


def admin_schools():
    return School.objects.prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.order_by("level", "name")))


@extend_schema(tags=["schools"])
class SchoolListCreateApi(ListCreateAPIView):
    permission_classes = [IsAdminRole]
    serializer_class = SchoolSerializer
    search_fields = ["name", "district", "code"]
    ordering_fields = ["name", "region", "created_at"]

    def get_queryset(self):
        return admin_schools().order_by("name", "id")


@extend_schema(tags=["schools"])
class SchoolDetailApi(RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAdminRole]
    serializer_class = SchoolSerializer
    lookup_field = "school_id"
    http_method_names = ["get", "patch", "delete"]

    def get_queryset(self):
        return admin_schools()
