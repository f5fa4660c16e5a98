from django.urls import path

from . import admin_api, api

urlpatterns = [
    # The clean API the student apps read.
    path("courses/", api.CourseListApi.as_view(), name="courses"),
    path("courses/<str:course_id>/", api.CourseDetailApi.as_view(), name="course-detail"),
    path("courses/<str:course_id>/enrollment/", api.EnrollmentApi.as_view(), name="course-enrollment"),
    path("lessons/<str:lesson_id>/", api.LessonDetailApi.as_view(), name="lesson-detail"),
    path("lessons/<str:lesson_id>/progress/", api.LessonProgressApi.as_view(), name="lesson-progress"),
    # The admin SPA: dashboard and content authoring.
    path("analytics/admin/summary/", admin_api.AdminSummaryApi.as_view(), name="analytics-admin-summary"),
    path("admin/content/courses/", admin_api.AdminCourseListApi.as_view(), name="admin-courses"),
    path("admin/content/modules/", admin_api.AdminModuleCreateApi.as_view(), name="admin-modules"),
    path("admin/content/lessons/", admin_api.AdminLessonCreateApi.as_view(), name="admin-lessons"),
    path("admin/content/lessons/<str:key>/steps/", admin_api.AdminStepListApi.as_view(), name="admin-lesson-steps"),
    path(
        "admin/content/lessons/<str:key>/steps/<int:step_number>/",
        admin_api.AdminStepDetailApi.as_view(),
        name="admin-lesson-step-detail",
    ),
    path(
        "admin/content/courses/<str:key>/audit-log/",
        admin_api.AdminCourseAuditLogApi.as_view(),
        name="admin-course-audit",
    ),
    path("admin/content/courses/<str:key>/", admin_api.AdminCourseDetailApi.as_view(), name="admin-courses-detail"),
    path(
        "admin/content/courses/<str:key>/submit-for-review/",
        admin_api.AdminCourseTransitionApi.as_view(transition="submit-for-review"),
        name="admin-courses-submit-for-review",
    ),
    path(
        "admin/content/courses/<str:key>/publish/",
        admin_api.AdminCourseTransitionApi.as_view(transition="publish"),
        name="admin-courses-publish",
    ),
    path(
        "admin/content/courses/<str:key>/archive/",
        admin_api.AdminCourseTransitionApi.as_view(transition="archive"),
        name="admin-courses-archive",
    ),
    path(
        "admin/content/courses/<str:key>/revert/",
        admin_api.AdminCourseTransitionApi.as_view(transition="revert"),
        name="admin-courses-revert",
    ),
    path("admin/content/modules/<str:key>/", admin_api.AdminModuleDetailApi.as_view(), name="admin-modules-detail"),
    path(
        "admin/content/modules/<str:key>/submit-for-review/",
        admin_api.AdminModuleTransitionApi.as_view(transition="submit-for-review"),
        name="admin-modules-submit-for-review",
    ),
    path(
        "admin/content/modules/<str:key>/publish/",
        admin_api.AdminModuleTransitionApi.as_view(transition="publish"),
        name="admin-modules-publish",
    ),
    path(
        "admin/content/modules/<str:key>/archive/",
        admin_api.AdminModuleTransitionApi.as_view(transition="archive"),
        name="admin-modules-archive",
    ),
    path(
        "admin/content/modules/<str:key>/revert/",
        admin_api.AdminModuleTransitionApi.as_view(transition="revert"),
        name="admin-modules-revert",
    ),
    path("admin/content/lessons/<str:key>/", admin_api.AdminLessonDetailApi.as_view(), name="admin-lessons-detail"),
    path(
        "admin/content/lessons/<str:key>/submit-for-review/",
        admin_api.AdminLessonTransitionApi.as_view(transition="submit-for-review"),
        name="admin-lessons-submit-for-review",
    ),
    path(
        "admin/content/lessons/<str:key>/publish/",
        admin_api.AdminLessonTransitionApi.as_view(transition="publish"),
        name="admin-lessons-publish",
    ),
    path(
        "admin/content/lessons/<str:key>/archive/",
        admin_api.AdminLessonTransitionApi.as_view(transition="archive"),
        name="admin-lessons-archive",
    ),
    path(
        "admin/content/lessons/<str:key>/revert/",
        admin_api.AdminLessonTransitionApi.as_view(transition="revert"),
        name="admin-lessons-revert",
    ),
]
