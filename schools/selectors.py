"""Reads of schools: the active ones anyone may pick at sign-up, and every school for admins."""

from django.db.models import Prefetch, Q, QuerySet

from .models import School, SchoolClass


def active_schools(*, search: str = "") -> QuerySet[School]:
    """Active schools by name, optionally those whose name or district contains ``search``."""
    schools = School.objects.filter(is_active=True)
    if search:
        schools = schools.filter(Q(name__icontains=search) | Q(district__icontains=search))
    return schools.order_by("name", "id")


def schools_for_admin() -> QuerySet[School]:
    """Every school with its classes (one prefetch), by name."""
    classes = Prefetch("classes", queryset=SchoolClass.objects.order_by("level", "name"))
    return School.objects.prefetch_related(classes).order_by("name", "id")
