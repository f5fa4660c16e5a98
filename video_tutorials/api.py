"""HTTP endpoints of recordings: upload, snapshots, playback, captions, publication,
offline bundles. Views validate, call one service or selector, and shape the answer."""

import gzip
import re
from functools import partial

from django.http import HttpResponse
from django.utils.http import http_date, parse_http_date_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.envelope import enveloped
from core.ids import public_id_or_pk
from core.permissions import IsAdminRole, is_admin
from core.ranges import ranged_file_response
from courses.models import Lesson

from . import bundles, captions, publication, rendered, selectors, transcode_jobs, uploads
from .media import recording_media
from .models import Recording
from .selectors import access_recording
from .serializers import (
    BundleQuerySerializer,
    CaptionEnvelope,
    CaptionInputSerializer,
    CaptionListEnvelope,
    CaptionSerializer,
    DetailQuerySerializer,
    LessonMediaInputSerializer,
    LessonVideoEnvelope,
    LessonVideoSerializer,
    RecordingDetailEnvelope,
    RecordingEnvelope,
    RecordingListQuerySerializer,
    RecordingPageEnvelope,
    RecordingSummarySerializer,
    RecordingUpdateInputSerializer,
    SnapshotBatchEnvelope,
    SnapshotBatchInputSerializer,
    TimelineEnvelope,
    UploadInputSerializer,
    WindowQuerySerializer,
)
from .snapshot_ingest import snapshot_batch_ingest
from .upload_limits import install_upload_limit, refuse_oversize_caption

TAGS = ["recordings"]
RECORDING_ID = OpenApiParameter(
    "recording_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="REC-… id or numeric id"
)
NOT_MODIFIED = OpenApiResponse(description="Not modified (If-None-Match / If-Modified-Since).")


def _lesson_for(key: str | None):
    if not key:
        return None
    lookup = public_id_or_pk(key, public_field="lesson_id")
    lesson = Lesson.objects.select_related("module__course").filter(**lookup).first()
    if lesson is None:
        raise ValidationError({"lesson": ["No lesson with this id."]}, code="unknown_lesson")
    return lesson


def _summary(recording) -> dict:
    recording = selectors.with_assets(Recording.objects.select_related("lesson")).get(pk=recording.pk)
    return RecordingSummarySerializer(recording).data


def _not_modified(request, etag: str, last_modified: float) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return etag in tags or "*" in tags or etag.removeprefix("W/") in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(last_modified) <= since


ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _conditional(request, recording, variant: str, build):
    """304 when the client has this version; else the cached gzipped JSON as it is to
    clients that accept gzip (all browsers: no compression per request), unzipped for
    the rest."""
    etag, last_modified = rendered.validators(recording, is_admin=is_admin(request.user), variant=variant)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": "private, no-cache",
        "Vary": "Authorization, Accept-Encoding",
    }
    if _not_modified(request, etag, last_modified):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = rendered.gzipped_body(etag, build)
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        return HttpResponse(body, content_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return HttpResponse(gzip.decompress(body), content_type="application/json", headers=headers)


def _window(query: dict) -> dict:
    return {"start": query.get("from"), "end": query.get("to"), "encoding": query["encoding"]}


class RecordingListUploadApi(APIView):
    """``GET /api/recordings/`` lists; ``POST /api/recordings/`` (and ``/api/upload/``) uploads."""

    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        return [IsAdminRole()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        operation_id="recordings_list",
        parameters=[RecordingListQuerySerializer],
        responses={200: RecordingPageEnvelope},
        tags=TAGS,
    )
    def get(self, request):
        query = RecordingListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        sees_drafts = is_admin(request.user)
        queryset = selectors.recordings_list(
            user=request.user,
            status=params.get("status") if sees_drafts else None,
            published=params.get("published") if sees_drafts else None,
            lesson_key=params.get("lesson"),
        )
        page, size = params["page"], params["page_size"]
        count = queryset.count()
        results = RecordingSummarySerializer(queryset[(page - 1) * size : page * size], many=True).data
        return enveloped({"count": count, "page": page, "page_size": size, "results": results})

    @extend_schema(
        request={"multipart/form-data": UploadInputSerializer},
        responses={201: RecordingEnvelope},
        tags=TAGS,
        description="Upload a recording (admins). Streamed to storage; probed with ffprobe; "
        "non-media, empty, truncated and oversize files are refused. Transcoding is queued.",
    )
    def post(self, request):
        install_upload_limit(request._request)
        serializer = UploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recording = uploads.recording_upload(
            uploaded_file=data["video_file"],
            title=data["title"],
            description=data.get("description", ""),
            declared_duration=data.get("duration"),
            language=data["language"],
            lesson=_lesson_for(data.get("lesson")),
            by=request.user,
        )
        queued = transcode_jobs.recording_queue_transcode(recording=recording)
        message = (
            "Uploaded; transcoding queued."
            if queued
            else "Uploaded; transcoding starts within minutes of background processing being back."
        )
        return enveloped(_summary(recording), message=message, status=status.HTTP_201_CREATED)


class RecordingDetailApi(APIView):
    def get_permissions(self):
        return [IsAdminRole()] if self.request.method == "PATCH" else super().get_permissions()

    @extend_schema(
        parameters=[RECORDING_ID, DetailQuerySerializer],
        responses={200: RecordingDetailEnvelope, 304: NOT_MODIFIED},
        tags=TAGS,
        description="A recording for the player: renditions per rung with sizes, audio, poster, captions "
        "and the code snapshots ordered by time (optionally one window, optionally delta-encoded). "
        "Answers 304 to If-None-Match / If-Modified-Since.",
    )
    def get(self, request, recording_id: str):
        query = DetailQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        recording = access_recording(request.user, recording_id)
        window = _window(params)
        variant = rendered.detail_variant(**window, mode=params["mode"])
        build = partial(rendered.detail_data, recording, user=request.user, **window, mode=params["mode"])
        return _conditional(request, recording, variant, build)

    @extend_schema(
        parameters=[RECORDING_ID],
        request=RecordingUpdateInputSerializer,
        responses={200: RecordingEnvelope},
        tags=TAGS,
        description="Link a recording to its lesson, re-link it, or unlink it with null (admins). The same "
        "checks as the upload's `lesson`; a published recording linked to a lesson students can open "
        "tells them once.",
    )
    def patch(self, request, recording_id: str):
        serializer = RecordingUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recording = access_recording(request.user, recording_id)
        lesson = _lesson_for(serializer.validated_data["lesson"])
        recording = publication.recording_lesson_link(recording=recording, lesson=lesson)
        return enveloped(_summary(recording), message="Recording updated.")


class RecordingTimelineApi(APIView):
    @extend_schema(
        parameters=[RECORDING_ID, WindowQuerySerializer],
        responses={200: TimelineEnvelope, 304: NOT_MODIFIED},
        tags=TAGS,
        description="Only the code timeline (low-bandwidth mode: pair it with the audio track).",
    )
    def get(self, request, recording_id: str):
        query = WindowQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        window = _window(query.validated_data)
        recording = access_recording(request.user, recording_id)
        build = partial(rendered.timeline_data, recording, **window)
        return _conditional(request, recording, rendered.timeline_variant(**window), build)


class SnapshotBatchApi(APIView):
    """``POST /api/save-code-snapshots/`` and ``POST /api/recordings/<id>/snapshots/``."""

    permission_classes = [IsAdminRole]

    @extend_schema(
        request=SnapshotBatchInputSerializer,
        responses={200: SnapshotBatchEnvelope},
        tags=TAGS,
        description="Store a batch of code snapshots once (batch_id, and (timestamp, code) de-duplication). "
        "A batch may arrive before its upload: it is linked by title. One bad snapshot never costs the "
        "others: every valid one is stored and each invalid one is listed in `rejected` by its index "
        "(not a number, negative, a clock time instead of seconds from the start, past a day, or far "
        "past the end of the take once its length is known). Re-send as often as you like.",
    )
    def post(self, request, recording_id: str | None = None):
        serializer = SnapshotBatchInputSerializer(data=request.data, context={"recording_id": recording_id})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        snapshots = data["snapshots"]
        recording, result = snapshot_batch_ingest(
            recording_key=recording_id or data.get("recording_id"),
            title=data.get("title"),
            snapshots=snapshots,
            positions=snapshots.positions,
            batch_id=data.get("batch_id"),
        )
        result["received"] += len(snapshots.rejected)
        result["rejected"] = sorted(snapshots.rejected + result["rejected"], key=lambda item: item["index"])
        message = "Snapshots saved." if result["stored"] else "Nothing new to store."
        if result["rejected"]:
            message += f" {len(result['rejected'])} not stored (see rejected)."
        return enveloped({"recording_id": recording.recording_id, "id": recording.pk, **result}, message=message)


def _action_schema(description: str):
    return extend_schema(
        parameters=[RECORDING_ID], request=None, responses={200: RecordingEnvelope}, tags=TAGS, description=description
    )


class RecordingActionApi(APIView):
    """``POST /api/recordings/<id>/<action>/`` (admins): one service call, answered with the summary."""

    permission_classes = [IsAdminRole]
    action = ""

    def act(self, recording, user):
        raise NotImplementedError

    def post(self, request, recording_id: str):
        recording = self.act(access_recording(request.user, recording_id), request.user)
        return enveloped(_summary(recording), message=f"Recording {self.action} done.")


@_action_schema("Publish a ready recording (admins); tells the enrolled students once.")
class RecordingPublishApi(RecordingActionApi):
    action = "publish"

    def act(self, recording, user):
        return publication.recording_publish(recording=recording, by=user)


@_action_schema("Hide a recording from students again (admins).")
class RecordingUnpublishApi(RecordingActionApi):
    action = "unpublish"

    def act(self, recording, user):
        return publication.recording_unpublish(recording=recording, by=user)


@_action_schema("Queue a failed recording's transcode again (admins).")
class RecordingRetryApi(RecordingActionApi):
    action = "retry"

    def act(self, recording, user):
        return transcode_jobs.recording_retry(recording=recording)


class RecordingCaptionsApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        return [IsAdminRole()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(parameters=[RECORDING_ID], responses={200: CaptionListEnvelope}, tags=TAGS)
    def get(self, request, recording_id: str):
        recording = access_recording(request.user, recording_id, prefetch_assets=True)
        return enveloped(CaptionSerializer(recording_media(recording).captions, many=True).data)

    @extend_schema(
        parameters=[RECORDING_ID],
        request={"multipart/form-data": CaptionInputSerializer},
        responses={201: CaptionEnvelope},
        tags=TAGS,
        description="Upload WebVTT captions for one language (replaces that language's captions).",
    )
    def post(self, request, recording_id: str):
        recording = access_recording(request.user, recording_id)
        serializer = CaptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        refuse_oversize_caption(upload)
        asset = captions.caption_upload(
            recording=recording, language=serializer.validated_data["language"], raw=upload.read()
        )
        return enveloped(CaptionSerializer(asset).data, message="Captions saved.", status=status.HTTP_201_CREATED)


class FirstRendererNegotiation(BaseContentNegotiation):
    """The bundle is a file response whatever Accept says; errors stay JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RecordingBundleApi(APIView):
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        parameters=[RECORDING_ID, BundleQuerySerializer],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (206, "application/zip"): OpenApiTypes.BINARY,
            304: NOT_MODIFIED,
            416: OpenApiResponse(description="Range not satisfiable."),
        },
        tags=TAGS,
        description="The offline lesson bundle (zip: manifest.json with content_hash, audio, the chosen video "
        "rung or none, poster, captions, timeline.json, lesson.json). Supports Range and If-Range; "
        "the ETag is the manifest's content_hash.",
    )
    def get(self, request, recording_id: str):
        query = BundleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        recording = access_recording(request.user, recording_id, prefetch_assets=True)
        bundle = bundles.bundle_for(recording=recording, rung=query.validated_data["rung"])
        return ranged_file_response(
            request._request,
            open_file=bundle.open,
            size=bundle.size,
            content_type="application/zip",
            etag=f'"{bundle.content_hash}"',
            disposition=f'attachment; filename="{recording.recording_id}-{query.validated_data["rung"]}.zip"',
        )


class LessonMediaApi(APIView):
    """``POST /api/admin/content/lesson-media/``: the admin SPA attaches a video to a lesson."""

    permission_classes = [IsAdminRole]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": LessonMediaInputSerializer},
        responses={201: LessonVideoEnvelope},
        tags=["admin content"],
    )
    def post(self, request):
        install_upload_limit(request._request)
        serializer = LessonMediaInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lesson = _lesson_for(data["lesson"])
        recording = uploads.recording_upload(
            uploaded_file=data["video_file"],
            title=lesson.title,
            language=data["language"],
            lesson=lesson,
            by=request.user,
        )
        transcode_jobs.recording_queue_transcode(recording=recording)
        recording = selectors.with_assets(selectors.visible_recordings_for(user=request.user)).get(pk=recording.pk)
        video = LessonVideoSerializer(recording, context={"include_original": True}).data
        return enveloped(video, message="Lesson video uploaded.", status=status.HTTP_201_CREATED)
