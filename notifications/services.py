"""Creating notifications and pushing them to the recipient's open websockets."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from .models import Notification

logger = logging.getLogger(__name__)


def notification_group(user_id: str) -> str:
    return f"notifications.{user_id}"


def notification_payload(notification: Notification) -> dict:
    return {
        "notification_id": notification.notification_id,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
        "created_at": notification.created_at.isoformat(),
    }


def _push(user_id: str, payload: dict) -> None:
    """Best effort: the row is stored; a client that missed the push lists it later."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            notification_group(user_id), {"type": "notification.message", "payload": payload}
        )
    except (RedisError, OSError) as exc:
        logger.warning("Could not push notification to %s: %s", user_id, exc)


def notification_send(*, recipient, kind: str, title: str, body: str = "", data: dict | None = None) -> Notification:
    notification = Notification.objects.create(recipient=recipient, kind=kind, title=title, body=body, data=data or {})
    payload = notification_payload(notification)
    transaction.on_commit(lambda: _push(recipient.user_id, payload))
    return notification


def notify_course_students(*, course, kind: str, title: str, body: str = "", data: dict | None = None) -> int:
    """One notification per student enrolled in ``course``; returns how many were sent."""
    from courses.models import Enrollment

    recipients = [
        enrollment.user
        for enrollment in Enrollment.objects.filter(course=course, user__is_active=True).select_related("user")
    ]
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, kind=kind, title=title, body=body, data=data or {}) for user in recipients]
    )
    for user, notification in zip(recipients, notifications, strict=True):
        payload = notification_payload(notification)
        transaction.on_commit(lambda user_id=user.user_id, payload=payload: _push(user_id, payload))
    return len(notifications)


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
