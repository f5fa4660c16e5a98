"""Tutor HTTP API: update/ask (JSON or server-sent events), lesson steps, branches, history."""

from __future__ import annotations

import json
import logging

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsAdminRole
from core.renderers import ORJSONRenderer
from courses.selectors import can_see_drafts

from . import selectors, services
from .models import TutorExchange
from .selectors import tutor_status
from .serializers import (
    AdminLessonStepSerializer,
    AskRequestSerializer,
    AskResponseSerializer,
    BranchSerializer,
    ExchangeSerializer,
    LessonStepSerializer,
    TutorLessonSerializer,
    TutorStatusSerializer,
    UpdateRequestSerializer,
    UpdateResponseSerializer,
)
from .throttles import TutorRateThrottle

logger = logging.getLogger(__name__)

SSE_DESCRIPTION = (
    "With `Accept: text/event-stream` the reply streams as server-sent events: `token` events "
    '(`{"token": "..."}`) maybe a `reset` event (drop the streamed text), then one `final` event carrying the JSON body below.'
)


def sse(event: str, data) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def sse_response(events, serializer_class) -> StreamingHttpResponse:
    async def stream():
        sentinel = object()
        try:
            while True:
                try:
                    item = await sync_to_async(next, thread_sensitive=True)(events, sentinel)
                except Exception:  # never a broken stream without a final word
                    logger.exception("Tutor stream failed")
                    yield sse("error", {"detail": "The tutor could not finish this reply.", "code": "tutor_error"})
                    return
                if item is sentinel:
                    return
                kind, value = item
                if kind == "token":
                    yield sse("token", {"token": value})
                elif kind == "reset":  # streamed text withdrawn (the final reply replaces it)
                    yield sse("reset", {})
                elif kind == "done":
                    yield sse("final", serializer_class(value.payload).data)
        finally:
            # A client that hung up: stop the LLM and keep the partial exchange. Closed on the
            # thread that ran it, since closing writes to the database.
            await sync_to_async(events.close, thread_sensitive=True)()

    response = StreamingHttpResponse(stream(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    # GZipMiddleware would hold events back in its compressor (under Daphne the client saw one
    # token, then nothing): an encoded response is left alone by it.
    response["Content-Encoding"] = "identity"
    return response


class _TutorPost(APIView):
    throttle_classes = [TutorRateThrottle]
    renderer_classes = [ORJSONRenderer]
    streaming = False

    def perform_content_negotiation(self, request, force=False):
        """``Accept: text/event-stream`` asks for a streamed reply; errors stay JSON (the documented shape)."""
        if "text/event-stream" in request.META.get("HTTP_ACCEPT", ""):
            self.streaming = True
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def wants_stream(self, request) -> bool:
        return self.streaming


class UpdateView(_TutorPost):
    @extend_schema(
        operation_id="tutor_update",
        summary="Hint for the student's code at a lesson step",
        description=SSE_DESCRIPTION,
        request=UpdateRequestSerializer,
        responses={200: UpdateResponseSerializer},
        tags=["tutor"],
    )
    def post(self, request):
        data = UpdateRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        events = services.update_events(request.user, **data.validated_data)
        if self.wants_stream(request):
            return sse_response(events, UpdateResponseSerializer)
        return Response(UpdateResponseSerializer(services.run(events).payload).data)


class AskView(_TutorPost):
    @extend_schema(
        operation_id="tutor_ask",
        summary="Answer a student's question",
        description=SSE_DESCRIPTION,
        request=AskRequestSerializer,
        responses={200: AskResponseSerializer},
        tags=["tutor"],
    )
    def post(self, request):
        data = AskRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["lesson_id"] = fields.get("lesson_id") or None
        events = services.ask_events(request.user, **fields)
        if self.wants_stream(request):
            return sse_response(events, AskResponseSerializer)
        return Response(AskResponseSerializer(services.run(events).payload).data)


class LessonView(APIView):
    @extend_schema(
        operation_id="tutor_lesson",
        summary="A lesson's steps for the tutor (expected code for admins only)",
        responses={200: TutorLessonSerializer},
        tags=["tutor"],
    )
    def get(self, request, lesson_id: str):
        lesson = selectors.tutor_lesson_get(user=request.user, lesson_id=lesson_id)
        step_serializer = AdminLessonStepSerializer if can_see_drafts(request.user) else LessonStepSerializer
        steps = step_serializer(lesson.steps.order_by("step_number"), many=True).data
        return Response(
            {
                "lesson_id": lesson.lesson_id,
                "title": lesson.title,
                "estimated_duration": lesson.estimated_duration_minutes,
                "steps": steps,
            }
        )


class BranchesView(APIView):
    @extend_schema(
        operation_id="tutor_branches",
        summary="The student's own saved code branches for a lesson",
        responses={200: BranchSerializer(many=True)},
        tags=["tutor"],
    )
    def get(self, request, lesson_id: str):
        lesson = selectors.tutor_lesson_get(user=request.user, lesson_id=lesson_id)
        branches = selectors.branches_for(student=request.user, lesson=lesson)
        return Response(BranchSerializer(branches, many=True).data)


class HistoryView(generics.ListAPIView):
    serializer_class = ExchangeSerializer

    @extend_schema(
        operation_id="tutor_history",
        summary="Tutor exchanges: your own, or (teachers, admins) a student's",
        parameters=[
            OpenApiParameter(
                "student", OpenApiTypes.STR, description="A student's user_id (teachers of their school, admins)."
            ),
            OpenApiParameter("lesson_id", OpenApiTypes.STR, description="Only this lesson."),
        ],
        tags=["tutor"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TutorExchange.objects.none()
        return selectors.exchanges_for(
            reader=self.request.user,
            student_user_id=self.request.query_params.get("student", ""),
            lesson_id=self.request.query_params.get("lesson_id", ""),
        )


class StatusView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        operation_id="tutor_status",
        summary="Is the tutor answering with the LLM or offline (index version, Ollama reachability)",
        responses={200: TutorStatusSerializer},
        tags=["tutor"],
    )
    def get(self, request):
        return Response(TutorStatusSerializer(tutor_status()).data)
