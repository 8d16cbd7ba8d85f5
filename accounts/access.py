"""The one tenant/role mechanism: views, API permissions, services and the WebSocket consumer use it.

- `get_for_account` returns an object of the user's account or raises 404 (an
  object of another account must look exactly like one that does not exist).
- `has_role` is the role check (the rule itself is `User.has_role`); `require_role`
  raises 403 for views, `ensure_role` raises RoleRequired for services, both naming the role.
"""

import uuid
from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN, User
from resolutionflow.domain import RoleRequired

ROLE_MESSAGES = {
    ENGINEER_OR_ADMIN: "engineer or admin role required",
    ADMIN_OR_OWNER: "owner or admin role required",
}


def scoped(model_or_qs: type[Model] | QuerySet, user: User) -> QuerySet:
    """The rows of `user`'s account; nothing at all for a user without one."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    if not getattr(user, "is_authenticated", False) or user.account_id is None:
        return qs.none()
    return qs.filter(account_id=user.account_id)


def get_for_account(model_or_qs: type[Model] | QuerySet, user: User, **lookup) -> Model:
    """One object of the user's account, or Http404 (also for malformed UUIDs)."""
    for key, value in lookup.items():
        if key in ("pk", "id") and not isinstance(value, uuid.UUID):
            try:
                lookup[key] = uuid.UUID(str(value))
            except ValueError:
                raise Http404("Not found.") from None
    try:
        return scoped(model_or_qs, user).get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404("Not found.") from None


def role_message(roles: Iterable[str]) -> str:
    roles = frozenset(roles)
    return ROLE_MESSAGES.get(roles, " or ".join(sorted(roles)) + " role required")


def has_role(user: User, roles: Iterable[str]) -> bool:
    """The role check for anyone, signed in or not; the rule itself is `User.has_role`."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(roles))


def ensure_role(user: User, roles: Iterable[str] = ENGINEER_OR_ADMIN) -> None:
    """For services: RoleRequired (a DomainError the caller answers with 403) naming the needed role."""
    if not has_role(user, roles):
        raise RoleRequired(role_message(roles))


def require_role(user: User, roles: Iterable[str] = ENGINEER_OR_ADMIN) -> None:
    """403 naming the needed role unless the member has one of `roles`."""
    if not has_role(user, roles):
        raise PermissionDenied(role_message(roles))


def role_required(roles: Iterable[str] = ENGINEER_OR_ADMIN) -> Callable:
    """View decorator: members without one of `roles` get 403 naming the role."""
    roles = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_account(request.user)
            require_role(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_account(user: User) -> None:
    """Signed-in users without an account (pure operators) have no tenant pages."""
    if not getattr(user, "is_authenticated", False) or user.account_id is None:
        raise PermissionDenied("This page is for members of an MSP account.")


def account_required(view):
    """View decorator: the user must belong to an account (any role)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_account(request.user)
        return view(request, *args, **kwargs)

    return wrapper
