from django.urls import path

from . import api, compat_api

urlpatterns = [
    path("schools/get-all-schools/", compat_api.PublicSchoolListApi.as_view(), name="schools-public"),
    path("schools/", api.SchoolListCreateApi.as_view(), name="schools"),
    path("schools/<str:school_id>/", api.SchoolDetailApi.as_view(), name="school-detail"),
]
