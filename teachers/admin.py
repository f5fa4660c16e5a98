from django.contrib import admin

from .models import Teacher


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "created_at"]
    list_filter = ["schools__region", "schools"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    ordering = ["user__last_name"]
    filter_horizontal = ["schools", "classes"]
    raw_id_fields = ["user"]
