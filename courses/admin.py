"""Django admin for the learning content. Status changes only through the workflow's
actions, which call ``content_transition`` and so keep the audit log complete."""

from django.contrib import admin, messages
from rest_framework.exceptions import ValidationError

from .models import ContentTransition, Course, Enrollment, Lesson, LessonAttachment, LessonProgress, LessonStep, Module
from .services import TRANSITIONS, content_transition

WORKFLOW_FIELDS = ["status", "review_notes", "submitted_for_review_at", "published_at"]


def transition_action(action: str):
    label = action.replace("-", " ")

    def run(modeladmin, request, queryset):
        done = 0
        for instance in queryset:
            try:
                content_transition(instance=instance, action=action, by=request.user)
                done += 1
            except ValidationError as exc:
                reasons = " ".join(str(reason) for problems in exc.detail.values() for reason in problems)
                modeladmin.message_user(request, f"{instance}: {reasons}", level=messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{label.capitalize()}: {done} done.", level=messages.SUCCESS)

    run.__name__ = f"transition_{action.replace('-', '_')}"
    return admin.action(description=f"{label.capitalize()} the selected items")(run)


WORKFLOW_ACTIONS = [transition_action(action) for action in TRANSITIONS]


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["title", "order", "status"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["title", "lesson_type", "order", "status"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


class LessonStepInline(admin.StackedInline):
    model = LessonStep
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "course_id", "level", "status", "published_at", "updated_at"]
    list_filter = ["status", "level"]
    search_fields = ["title", "course_id", "summary"]
    ordering = ["title"]
    readonly_fields = ["course_id", *WORKFLOW_FIELDS, "created_at", "updated_at"]
    actions = WORKFLOW_ACTIONS
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "module_id", "course", "order", "status"]
    list_filter = ["status", "course"]
    search_fields = ["title", "module_id", "course__title"]
    ordering = ["course", "order"]
    readonly_fields = ["module_id", *WORKFLOW_FIELDS]
    actions = WORKFLOW_ACTIONS
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "lesson_id", "module", "lesson_type", "order", "status"]
    list_filter = ["status", "lesson_type", "module__course"]
    search_fields = ["title", "lesson_id", "module__title"]
    ordering = ["module", "order"]
    readonly_fields = ["lesson_id", *WORKFLOW_FIELDS]
    actions = WORKFLOW_ACTIONS
    inlines = [LessonStepInline]


@admin.register(LessonStep)
class LessonStepAdmin(admin.ModelAdmin):
    list_display = ["lesson", "step_number", "title", "language", "is_assignment"]
    list_filter = ["language", "is_assignment"]
    search_fields = ["title", "instructions", "lesson__title"]
    ordering = ["lesson", "step_number"]


@admin.register(LessonAttachment)
class LessonAttachmentAdmin(admin.ModelAdmin):
    list_display = ["title", "lesson", "created_at"]
    search_fields = ["title", "lesson__title"]
    ordering = ["-created_at"]


@admin.register(ContentTransition)
class ContentTransitionAdmin(admin.ModelAdmin):
    list_display = ["content_object_repr", "from_status", "to_status", "performed_by", "created_at"]
    list_filter = ["to_status", "from_status"]
    search_fields = ["content_object_repr", "notes"]
    ordering = ["-created_at"]

    def has_change_permission(self, request, obj=None):
        return False  # an audit log is never edited


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "enrolled_at", "completed_at"]
    list_filter = ["course"]
    search_fields = ["user__email", "course__title"]
    ordering = ["-enrolled_at"]
    raw_id_fields = ["user"]


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "last_position_seconds", "completed_at", "updated_at"]
    list_filter = ["lesson__module__course"]
    search_fields = ["user__email", "lesson__title"]
    ordering = ["-updated_at"]
    raw_id_fields = ["user"]
