"""URL map: the clean API and the existing apps' paths, each app mounting its own."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health

handler400 = "core.errors.handler400"
handler403 = "core.errors.handler403"
handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/accounts/", include("accounts.urls")),
    path("api/", include("schools.urls")),
    path("api/", include("students.urls")),
    path("api/", include("teachers.urls")),
    path("api/", include("courses.urls")),
    path("api/", include("notifications.urls")),
    path("api/", include("video_tutorials.urls")),
    path("api/", include("projects.urls")),
    path("", include("core.media")),
    path("", include("llm_tutor.urls")),
]
