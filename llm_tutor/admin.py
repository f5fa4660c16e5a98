from django.contrib import admin

from .models import CodeBranch, TutorExchange


@admin.register(TutorExchange)
class TutorExchangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "student", "kind", "lesson", "step_number", "source", "status", "latency_ms")
    list_filter = ("kind", "source", "status", "interrupted")
    search_fields = ("student__email", "question", "reply")
    raw_id_fields = ("student", "lesson")


@admin.register(CodeBranch)
class CodeBranchAdmin(admin.ModelAdmin):
    list_display = ("branch_id", "student", "lesson", "step", "timestamp")
    search_fields = ("branch_id", "student__email")
    raw_id_fields = ("student", "lesson", "step")
