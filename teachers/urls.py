from django.urls import path

from . import api

urlpatterns = [path("teachers/dashboard/", api.TeacherDashboardApi.as_view(), name="teacher-dashboard")]
