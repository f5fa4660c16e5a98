"""Tutor routes (mounted at the site root; with or without a trailing slash, as old clients call them)."""

from django.urls import re_path

from . import views

LESSON = r"(?P<lesson_id>[^/]{1,64})"

urlpatterns = [
    re_path(r"^llm-tutor/api/llm/update/?$", views.UpdateView.as_view(), name="tutor-update"),
    re_path(r"^llm-tutor/api/llm/ask/?$", views.AskView.as_view(), name="tutor-ask"),
    re_path(rf"^llm-tutor/api/lesson/{LESSON}/?$", views.LessonView.as_view(), name="tutor-lesson"),
    re_path(rf"^llm-tutor/api/branches/{LESSON}/?$", views.BranchesView.as_view(), name="tutor-branches"),
    re_path(r"^api/tutor/history/?$", views.HistoryView.as_view(), name="tutor-history"),
    re_path(r"^api/tutor/status/?$", views.StatusView.as_view(), name="tutor-status"),
]
