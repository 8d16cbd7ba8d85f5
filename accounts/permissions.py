"""DRF permission classes mirroring `accounts.access` for the JSON API."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.access import has_role, role_message
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN


class IsAccountMember(BasePermission):
    message = "This endpoint is for members of an MSP account."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.account_id)


class IsEngineerOrAdmin(IsAccountMember):
    message = role_message(ENGINEER_OR_ADMIN)

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and has_role(request.user, ENGINEER_OR_ADMIN)


class IsAdminOrOwner(IsAccountMember):
    message = role_message(ADMIN_OR_OWNER)

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and has_role(request.user, ADMIN_OR_OWNER)


class ReadMemberWriteEngineer(IsAccountMember):
    """Any member reads; writes need engineer-or-admin (viewers are read-only)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        if not has_role(request.user, ENGINEER_OR_ADMIN):
            self.message = role_message(ENGINEER_OR_ADMIN)
            return False
        return True
