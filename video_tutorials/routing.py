"""Websocket routes of this app."""

from django.urls import re_path

from .consumers import RecordingProgressConsumer

websocket_urlpatterns: list = [
    re_path(r"^ws/recordings/(?P<recording_id>[^/]+)/$", RecordingProgressConsumer.as_asgi()),
]
