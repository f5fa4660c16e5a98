from django.contrib import admin

from .models import School, SchoolClass


class SchoolClassInline(admin.TabularInline):
    model = SchoolClass
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "school_id", "region", "district", "code", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "school_id", "code", "district"]
    ordering = ["name"]
    readonly_fields = ["school_id"]
    inlines = [SchoolClassInline]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "level"]
    list_filter = ["level", "school__region"]
    search_fields = ["name", "school__name"]
    ordering = ["school", "level", "name"]
