from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="notifications"),
    path("notifications/unread-count/", api.UnreadCountApi.as_view(), name="notifications-unread-count"),
    path("notifications/mark-all-read/", api.MarkAllReadApi.as_view(), name="notifications-mark-all-read"),
    path("notifications/<str:notification_id>/read/", api.MarkReadApi.as_view(), name="notification-read"),
]
