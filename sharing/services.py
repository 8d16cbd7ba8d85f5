"""Share-link operations: create, revoke, open for a view. Pages and the API call these."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.access import has_role, role_message, scoped
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN, User
from flowpilot.models import Session
from resolutionflow.domain import InvalidOperation, RoleRequired
from sharing.models import ShareLink

DEFAULT_DAYS = 30
MAX_DAYS = 365
# secrets.token_urlsafe(32) gives 43 characters; anything else is not one of ours.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def create_link(
    session: Session, user: User, *, visibility: str = ShareLink.Visibility.ACCOUNT, expires_in_days: int = DEFAULT_DAYS
) -> tuple[ShareLink, str]:
    """A new link and its raw token (shown once, never stored)."""
    if not has_role(user, ENGINEER_OR_ADMIN):
        raise RoleRequired(role_message(ENGINEER_OR_ADMIN))
    if session.account_id != user.account_id:
        raise InvalidOperation("session belongs to another account")
    if visibility not in ShareLink.Visibility.values:
        raise InvalidOperation("visibility must be account or public")
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise InvalidOperation(f"a link expires after 1 to {MAX_DAYS} days")
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        account_id=session.account_id,
        session=session,
        created_by=user,
        visibility=visibility,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    return link, token


def links_for(user: User) -> QuerySet:
    """Owners and admins see every link of the account; engineers their own; viewers none."""
    links = scoped(ShareLink, user).select_related("session", "created_by")
    if has_role(user, ADMIN_OR_OWNER):
        return links
    if has_role(user, ENGINEER_OR_ADMIN):
        return links.filter(created_by=user)
    return links.none()


def can_revoke(user: User, link: ShareLink) -> bool:
    if user.account_id != link.account_id:
        return False
    return has_role(user, ADMIN_OR_OWNER) or (has_role(user, ENGINEER_OR_ADMIN) and link.created_by_id == user.pk)


def revoke(link: ShareLink, user: User) -> ShareLink:
    """Revoke now; the next request for the link answers 404. Revoking twice keeps the first time."""
    if not can_revoke(user, link):
        raise RoleRequired(role_message(ADMIN_OR_OWNER))
    return revoke_as_operator(link)


def revoke_as_operator(link: ShareLink) -> ShareLink:
    """Revoke without a member's role check: Django admin's action for staff (and `revoke` above)."""
    ShareLink.objects.filter(pk=link.pk, revoked_at=None).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


def find_live(token: str) -> ShareLink | None:
    """The unrevoked, unexpired link for a raw token, or None."""
    if not TOKEN_RE.fullmatch(token):
        return None
    live = ShareLink.objects.filter(token_hash=hash_token(token), revoked_at=None, expires_at__gt=timezone.now())
    return live.select_related("session").first()


def can_view(user: User, link: ShareLink) -> bool:
    if link.visibility == ShareLink.Visibility.PUBLIC:
        return True
    return bool(getattr(user, "is_authenticated", False) and user.account_id == link.account_id)


def count_view(link: ShareLink) -> bool:
    """Count one view. False if the link was revoked or expired since it was found.

    One conditional UPDATE: concurrent views each add one (F()), and a revoke that
    lands between find_live and here wins (the filter no longer matches, != 1).
    """
    now = timezone.now()
    updated = ShareLink.objects.filter(pk=link.pk, revoked_at=None, expires_at__gt=now).update(
        view_count=F("view_count") + 1, last_viewed_at=now
    )
    return updated == 1
