"""Role permissions shared by every app."""

from rest_framework.permissions import BasePermission


def is_admin(user) -> bool:
    """The one test of the admin role: None (a background job) and anonymous users are not admins."""
    return bool(user and user.is_authenticated and user.is_admin)


class IsAdminRole(BasePermission):
    message = "Only Mr ICT admins may do this."

    def has_permission(self, request, view):
        return is_admin(request.user)


class IsTeacherOrAdmin(BasePermission):
    message = "Only teachers and admins may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_admin or user.is_teacher))
