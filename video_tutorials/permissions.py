"""Who may do what with recordings: admins write, everyone signed in reads what is visible."""

from rest_framework.permissions import BasePermission


class IsAdminRole(BasePermission):
    message = "Only admins may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "is_admin", False))
