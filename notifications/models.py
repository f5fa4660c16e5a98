"""Notifications for one recipient, pushed over websockets and listed over REST."""

from django.conf import settings
from django.db import models

from core.ids import new_public_id


def new_notification_id() -> str:
    return new_public_id("NTF")


class Notification(models.Model):
    notification_id = models.CharField(max_length=20, unique=True, default=new_notification_id, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
