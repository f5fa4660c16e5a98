"""Websocket routes of this app."""

from django.urls import re_path

from .consumers import TutorConsumer

websocket_urlpatterns: list = [re_path(r"^ws/tutor/$", TutorConsumer.as_asgi())]
