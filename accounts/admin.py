from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import OneTimeCode, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "user_id", "first_name", "last_name", "role", "email_verified", "is_active"]
    list_filter = ["role", "email_verified", "is_active"]
    search_fields = ["email", "user_id", "first_name", "last_name"]
    readonly_fields = ["user_id", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "user_id", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "phone", "country", "preferred_language"]}),
        ("Access", {"fields": ["role", "email_verified", "is_active", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})]


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    list_display = ["user", "purpose", "created_at", "expires_at", "attempts", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "purpose", "code_hash", "created_at", "expires_at", "attempts", "used_at"]
