from django.urls import path

from . import api, compat_api

urlpatterns = [
    # Under /api/accounts/ with the other account paths: sign-up makes a student profile,
    # so it is served here, above accounts/ (which cannot import students/).
    path("accounts/register/", api.RegisterApi.as_view(), name="register"),
    path("accounts/register-student/", compat_api.StudentRegisterApi.as_view(), name="register-student"),
    path("admin/students/", api.AdminStudentListApi.as_view(), name="admin-students"),
    path("admin/students/<str:user_id>/", api.AdminStudentDetailApi.as_view(), name="admin-student"),
    path("students/experience/me/", compat_api.ExperienceMeApi.as_view(), name="experience-me"),
    path("students/experience/catalog/", compat_api.ExperienceCatalogApi.as_view(), name="experience-catalog"),
    path(
        "students/experience/catalog/<str:course_id>/",
        compat_api.ExperienceCourseApi.as_view(),
        name="experience-course",
    ),
    path(
        "students/experience/catalog/<str:course_id>/enroll/",
        compat_api.ExperienceEnrollApi.as_view(),
        name="experience-enroll",
    ),
    path("students/experience/dashboard/", compat_api.ExperienceDashboardApi.as_view(), name="experience-dashboard"),
    path(
        "students/experience/lessons/<str:lesson_id>/",
        compat_api.ExperienceLessonApi.as_view(),
        name="experience-lesson",
    ),
    path(
        "students/experience/lessons/<str:lesson_id>/progress/",
        compat_api.ExperienceLessonProgressApi.as_view(),
        name="experience-lesson-progress",
    ),
]
