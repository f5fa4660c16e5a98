"""Creating notifications and pushing them to the recipient's open websockets."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from .models import Notification
from .selectors import notifications_for
from .serializers import NotificationSerializer

logger = logging.getLogger(__name__)


def notification_group(user_id: str) -> str:
    return f"notifications.{user_id}"


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
    (notification,) = notifications_send_many(recipients=[recipient], kind=kind, title=title, body=body, data=data)
    return notification


def notifications_send_many(
    *, recipients, kind: str, title: str, body: str = "", data: dict | None = None
) -> list[Notification]:
    """The same notification for each of ``recipients`` (users), in one insert, each pushed
    to its recipient's open websockets after commit."""
    recipients = list(recipients)
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, kind=kind, title=title, body=body, data=data or {}) for user in recipients]
    )
    for user, notification in zip(recipients, notifications, strict=True):
        _push_on_commit(user, notification)
    return notifications


def _push_on_commit(recipient, notification: Notification) -> None:
    # The push carries what the REST list shows (one shape); it goes once the row is committed.
    payload = dict(NotificationSerializer(notification).data)
    transaction.on_commit(lambda: _push(recipient.user_id, payload))


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return notifications_for(user=user, unread_only=True).update(read_at=timezone.now())
