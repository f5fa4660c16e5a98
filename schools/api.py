"""Schools for admins: list, create, edit, delete (the sign-up page's public list is compat_api.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListCreateAPIView, RetrieveUpdateDestroyAPIView

from core.permissions import IsAdminRole

from .selectors import schools_for_admin
from .serializers import SchoolSerializer


@extend_schema(tags=["schools"])
class SchoolListCreateApi(ListCreateAPIView):
    permission_classes = [IsAdminRole]
    serializer_class = SchoolSerializer
    search_fields = ["name", "district", "code"]
    ordering_fields = ["name", "region", "created_at"]

    def get_queryset(self):
        return schools_for_admin()


@extend_schema(tags=["schools"])
class SchoolDetailApi(RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAdminRole]
    serializer_class = SchoolSerializer
    lookup_field = "school_id"
    http_method_names = ["get", "patch", "delete"]

    def get_queryset(self):
        return schools_for_admin()
