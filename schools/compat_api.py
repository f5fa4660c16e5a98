"""The sign-up page's school picker in the exact shape the student SPA reads
(CLIENT_CONTRACT.md): ``{"message", "data": {"schools", "count", "page", "total_pages"}}``,
around the same selector and serializer as the rest of the schools API."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from core.api import PublicApi
from core.envelope import envelope_serializer, enveloped
from core.pagination import PageNumberPagination
from core.query import QuerySerializer

from .selectors import active_schools
from .serializers import PublicSchoolSerializer


class PublicSchoolQuerySerializer(QuerySerializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    page = serializers.IntegerField(min_value=1, required=False, default=1)
    page_size = serializers.IntegerField(
        min_value=1, max_value=PageNumberPagination.max_page_size, required=False, default=50
    )


class PublicSchoolListSerializer(serializers.Serializer):
    schools = PublicSchoolSerializer(many=True)
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    total_pages = serializers.IntegerField()


PublicSchoolsResponse = envelope_serializer("PublicSchoolsResponse", PublicSchoolListSerializer())


class PublicSchoolListApi(PublicApi):
    # GET /api/schools/get-all-schools/, before login.
    default_page_size = 50  # the picker's page when the SPA sends no page_size

    @extend_schema(parameters=[PublicSchoolQuerySerializer], responses={200: PublicSchoolsResponse}, tags=["schools"])
    def get(self, request):
        query = PublicSchoolQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # The core paginator: a page past the last is a 404 "Invalid page.", as on every list.
        paginator = PageNumberPagination()
        schools = active_schools(search=query.validated_data.get("search", ""))
        page = paginator.paginate_queryset(schools, request, view=self)
        return enveloped(
            {
                "schools": PublicSchoolSerializer(page, many=True).data,
                "count": paginator.page.paginator.count,
                "page": paginator.page.number,
                "total_pages": paginator.page.paginator.num_pages,
            }
        )
