from django.urls import path

from . import api

urlpatterns = [
    path("teachers/dashboard/", api.TeacherDashboardApi.as_view(), name="teacher-dashboard"),
    path("admin/teachers/", api.AdminTeacherListApi.as_view(), name="admin-teachers"),
    path("admin/teachers/<str:user_id>/", api.AdminTeacherDetailApi.as_view(), name="admin-teacher"),
]
