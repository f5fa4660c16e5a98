from django.urls import path

from . import api

urlpatterns = [
    path("courses/", api.CourseListApi.as_view(), name="courses"),
    path("courses/<str:course_id>/", api.CourseDetailApi.as_view(), name="course-detail"),
    path("courses/<str:course_id>/enrollment/", api.EnrollmentApi.as_view(), name="course-enrollment"),
    path("lessons/<str:lesson_id>/", api.LessonDetailApi.as_view(), name="lesson-detail"),
    path("lessons/<str:lesson_id>/progress/", api.LessonProgressApi.as_view(), name="lesson-progress"),
    path("analytics/admin/summary/", api.AdminSummaryApi.as_view(), name="analytics-admin-summary"),
    path("admin/content/courses/", api.AdminCourseListApi.as_view(), name="admin-courses"),
    path("admin/content/modules/", api.admin_create_api(api.AdminModuleSerializer).as_view(), name="admin-modules"),
    path("admin/content/lessons/", api.admin_create_api(api.AdminLessonSerializer).as_view(), name="admin-lessons"),
    path("admin/content/lessons/<str:key>/steps/", api.AdminStepListApi.as_view(), name="admin-lesson-steps"),
    path(
        "admin/content/lessons/<str:key>/steps/<int:step_number>/",
        api.AdminStepDetailApi.as_view(),
        name="admin-lesson-step-detail",
    ),
    path("admin/content/courses/<str:key>/audit-log/", api.AdminCourseAuditLogApi.as_view(), name="admin-course-audit"),
]

for kind, (model, serializer, public_field, queryset_fn) in api.CONTENT_KINDS.items():
    urlpatterns.append(
        path(
            f"admin/content/{kind}/<str:key>/",
            api.admin_object_api(model, serializer, public_field, queryset_fn).as_view(),
            name=f"admin-{kind}-detail",
        )
    )
    for action in api.TRANSITION_ACTIONS:
        urlpatterns.append(
            path(
                f"admin/content/{kind}/<str:key>/{action}/",
                api.admin_transition_api(model, serializer, public_field, queryset_fn, action).as_view(),
                name=f"admin-{kind}-{action}",
            )
        )
