from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "read_at", "created_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["title", "recipient__email", "notification_id"]
    ordering = ["-created_at"]
    raw_id_fields = ["recipient"]
