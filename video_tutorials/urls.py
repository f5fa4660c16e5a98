"""Recording endpoints under /api/ (clean resource URLs and the recorder's own paths)."""

from django.urls import path

from . import api

urlpatterns = [
    path("upload/", api.RecordingListUploadApi.as_view(http_method_names=["post", "options"]), name="recording-upload"),
    path("save-code-snapshots/", api.SnapshotBatchApi.as_view(), name="recording-snapshots-save"),
    path("recordings/", api.RecordingListUploadApi.as_view(), name="recordings"),
    path("recordings/<str:recording_id>/", api.RecordingDetailApi.as_view(), name="recording-detail"),
    path("recordings/<str:recording_id>/timeline/", api.RecordingTimelineApi.as_view(), name="recording-timeline"),
    path("recordings/<str:recording_id>/snapshots/", api.SnapshotBatchApi.as_view(), name="recording-snapshots"),
    path("recordings/<str:recording_id>/publish/", api.RecordingPublishApi.as_view(), name="recording-publish"),
    path("recordings/<str:recording_id>/unpublish/", api.RecordingUnpublishApi.as_view(), name="recording-unpublish"),
    path("recordings/<str:recording_id>/retry/", api.RecordingRetryApi.as_view(), name="recording-retry"),
    path("recordings/<str:recording_id>/captions/", api.RecordingCaptionsApi.as_view(), name="recording-captions"),
    path("recordings/<str:recording_id>/bundle/", api.RecordingBundleApi.as_view(), name="recording-bundle"),
    path("admin/content/lesson-media/", api.LessonMediaApi.as_view(), name="lesson-media-upload"),
]
