"""Projects workspace: the student app's paths (/api/projects/, /api/project_files/).

A user's querysets only ever hold their own projects and files.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.ids import as_numeric_id, get_by_public_id_or_pk

from . import services
from .models import Project, ProjectFile
from .serializers import (
    ProjectFileCreateSerializer,
    ProjectFileSerializer,
    ProjectFilesQuerySerializer,
    ProjectFileUpdateSerializer,
    ProjectSerializer,
)

TAGS = ["projects"]


def own_projects(user):
    return Project.objects.filter(owner=user).prefetch_related("files")


def own_project(user, project_id: str) -> Project:
    return get_by_public_id_or_pk(Project.objects.filter(owner=user), project_id, public_field="project_id")


def own_file(user, file_id: str) -> ProjectFile:
    # A file has no public id: its URL key is its pk, and anything else names no file.
    numeric = as_numeric_id(file_id)
    if numeric is None:
        raise Http404
    try:
        return ProjectFile.objects.select_related("project").get(pk=numeric, project__owner=user)
    except ProjectFile.DoesNotExist as exc:
        raise Http404 from exc


class ProjectListApi(APIView):
    @extend_schema(responses={200: ProjectSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        return Response(ProjectSerializer(own_projects(request.user), many=True).data)


class ProjectCreateApi(APIView):
    @extend_schema(request=ProjectSerializer, responses={201: ProjectSerializer}, tags=TAGS)
    def post(self, request):
        serializer = ProjectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(owner=request.user, **serializer.validated_data)
        return Response(ProjectSerializer(own_projects(request.user).get(pk=project.pk)).data, status=201)


class ProjectDetailApi(APIView):
    @extend_schema(responses={200: ProjectSerializer}, tags=TAGS)
    def get(self, request, project_id: str):
        return Response(ProjectSerializer(own_project(request.user, project_id)).data)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request, project_id: str):
        own_project(request.user, project_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectFilesByProjectApi(APIView):
    @extend_schema(
        parameters=[ProjectFilesQuerySerializer], responses={200: ProjectFileSerializer(many=True)}, tags=TAGS
    )
    def get(self, request):
        query = ProjectFilesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        project = own_project(request.user, query.validated_data["project"])
        return Response(ProjectFileSerializer(project.files.all(), many=True).data)


class ProjectFileCreateApi(APIView):
    @extend_schema(request=ProjectFileCreateSerializer, responses={201: ProjectFileSerializer}, tags=TAGS)
    def post(self, request):
        serializer = ProjectFileCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = own_project(request.user, data["project"])
        project_file = services.project_file_create(project=project, name=data["name"], content=data["content"])
        return Response(ProjectFileSerializer(project_file).data, status=status.HTTP_201_CREATED)


class ProjectFileDetailApi(APIView):
    @extend_schema(responses={200: ProjectFileSerializer}, tags=TAGS)
    def get(self, request, file_id: str):
        return Response(ProjectFileSerializer(own_file(request.user, file_id)).data)

    @extend_schema(request=ProjectFileUpdateSerializer, responses={200: ProjectFileSerializer}, tags=TAGS)
    def patch(self, request, file_id: str):
        project_file = own_file(request.user, file_id)
        serializer = ProjectFileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project_file = services.project_file_update(project_file=project_file, **serializer.validated_data)
        return Response(ProjectFileSerializer(project_file).data)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request, file_id: str):
        own_file(request.user, file_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
