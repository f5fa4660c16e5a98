"""Role permissions shared by every app."""

from rest_framework.permissions import BasePermission


class IsAdminRole(BasePermission):
    message = "Only Mr ICT admins may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


class IsTeacherOrAdmin(BasePermission):
    message = "Only teachers and admins may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_admin or user.is_teacher))
