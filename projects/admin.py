from django.contrib import admin

from .models import Project, ProjectFile


class ProjectFileInline(admin.TabularInline):
    model = ProjectFile
    fields = ["name", "file_type", "updated_at"]
    readonly_fields = ["updated_at"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "project_id", "owner", "updated_at"]
    search_fields = ["name", "project_id", "owner__email"]
    ordering = ["-updated_at"]
    readonly_fields = ["project_id", "created_at", "updated_at"]
    raw_id_fields = ["owner"]
    inlines = [ProjectFileInline]


@admin.register(ProjectFile)
class ProjectFileAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "file_type", "updated_at"]
    list_filter = ["file_type"]
    search_fields = ["name", "project__name", "project__owner__email"]
    ordering = ["project", "name"]
