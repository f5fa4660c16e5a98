from django.contrib import admin

from .models import Student


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "school_class", "level", "has_completed_onboarding"]
    list_filter = ["level", "school__region", "school"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "school__name"]
    ordering = ["user__last_name"]
    raw_id_fields = ["user"]
