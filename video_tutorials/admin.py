"""Django admin for recordings: status, renditions, a preview player, bulk publish."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from rest_framework.exceptions import ValidationError

from . import changes, publication, transcode_jobs
from .models import Recording, RecordingAsset


class RecordingAssetInline(admin.TabularInline):
    model = RecordingAsset
    extra = 0
    can_delete = False
    fields = ["kind", "label", "file", "width", "height", "duration", "bitrate_kbps", "size_bytes", "mime_type"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ["title", "recording_id", "lesson", "status", "progress", "is_published", "duration", "created_at"]
    list_filter = ["status", "is_published", "language"]
    search_fields = ["title", "recording_id", "lesson__title"]
    raw_id_fields = ["lesson", "uploaded_by"]
    inlines = [RecordingAssetInline]
    actions = ["publish_selected", "unpublish_selected", "retry_selected"]
    readonly_fields = [
        "recording_id",
        "preview",
        "status",
        "progress",
        "error",
        "duration",
        "source_width",
        "source_height",
        "has_video",
        "has_audio",
        "original",
        "original_size_bytes",
        "snapshot_count",
        "timeline_bytes",
        "published_at",
        "transcode_attempts",
        "content_version",
        "created_at",
        "updated_at",
    ]
    exclude = ["is_published"]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, so the edit bumps content_version: students' cached JSON,
        # ETags and bundles must not keep the old title or description.
        changes.recording_edit(recording=obj, fields=form.changed_data)

    @admin.display(description="Preview")
    def preview(self, obj: Recording):
        assets = list(obj.assets.all())
        videos = sorted((a for a in assets if a.kind == RecordingAsset.Kind.VIDEO), key=lambda a: -a.height)
        poster = next((a.file.url for a in assets if a.kind == RecordingAsset.Kind.POSTER), "")
        if videos:
            sources = format_html_join("", '<source src="{}" type="{}">', ((v.file.url, v.mime_type) for v in videos))
            return format_html('<video controls preload="metadata" width="480" poster="{}">{}</video>', poster, sources)
        if obj.original:
            return format_html('<video controls preload="metadata" width="480" src="{}"></video>', obj.original.url)
        return "No media yet."

    def _bulk(self, request, queryset, action, verb):
        done, refused = 0, []
        for recording in queryset:
            try:
                action(recording)
                done += 1
            except ValidationError as exc:
                refused.append(f"{recording.title}: {exc.detail}")
        if done:
            self.message_user(request, f"{verb} {done} recording(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Publish selected recordings")
    def publish_selected(self, request, queryset):
        self._bulk(
            request, queryset, lambda r: publication.recording_publish(recording=r, by=request.user), "Published"
        )

    @admin.action(description="Unpublish selected recordings")
    def unpublish_selected(self, request, queryset):
        self._bulk(
            request, queryset, lambda r: publication.recording_unpublish(recording=r, by=request.user), "Unpublished"
        )

    @admin.action(description="Retry failed transcodes")
    def retry_selected(self, request, queryset):
        self._bulk(request, queryset, lambda r: transcode_jobs.recording_retry(recording=r), "Queued")
