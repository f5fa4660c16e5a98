from django.urls import path

from . import api

urlpatterns = [
    path("projects/", api.ProjectListApi.as_view(), name="projects"),
    path("projects/create/", api.ProjectCreateApi.as_view(), name="project-create"),
    path("projects/<str:project_id>/", api.ProjectDetailApi.as_view(), name="project-detail"),
    path("project_files/", api.ProjectFileCreateApi.as_view(), name="project-file-create"),
    path("project_files/by_project/", api.ProjectFilesByProjectApi.as_view(), name="project-files-by-project"),
    path("project_files/<str:file_id>/", api.ProjectFileDetailApi.as_view(), name="project-file-detail"),
]
