"""Account and user operations shared by the pages, the admin and the commands."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from accounts.access import ensure_role
from accounts.authentication import forget_tokens
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN, Account, Role, User
from accounts.sockets import close_session_connections, close_user_connections
from outbox import services as outbox
from outbox.registry import register
from resolutionflow.domain import InvalidOperation
from resolutionflow.mail import send_templated_mail
from resolutionflow.text import NAME_MESSAGE, has_control_characters

INVITATION = "accounts.invitation"


def _clean_name(name: str, what: str = "Name") -> str:
    name = (name or "").strip()
    if has_control_characters(name):
        raise InvalidOperation(f"{what}: {NAME_MESSAGE}")
    return name


def _check_email_free(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidOperation(f"{email!r} is not a valid email address.") from None
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidOperation(f"A user with email {email} already exists.")
    return email


@transaction.atomic
def create_account(name: str, owner_email: str, password: str, owner_name: str = "") -> Account:
    """A new MSP with its owner; the code is derived from the name and made unique."""
    name = _clean_name(name, "Account name")
    if not name:
        raise InvalidOperation("An account name is required.")
    email = _check_email_free(owner_email)
    account = Account.objects.create(name=name, code=Account.unique_code_for(name))
    User.objects.create_user(email, password, name=_clean_name(owner_name), account=account, account_role=Role.OWNER)
    return account


def create_user(
    account: Account, email: str, role: str, password: str | None = None, name: str = "", team=None
) -> User:
    """Add a member directly (operators). The owner role only moves by transfer."""
    if role not in Role.values:
        raise InvalidOperation(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    if role == Role.OWNER and account.users.filter(account_role=Role.OWNER).exists():
        raise InvalidOperation("This account already has an owner; transfer ownership instead.")
    name = _clean_name(name)
    email = _check_email_free(email)
    return User.objects.create_user(email, password, name=name, account=account, account_role=role, team=team)


def set_password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{settings.SITE_URL}/accounts/reset/{uid}/{token}/"


@transaction.atomic
def invite_user(actor: User, email: str, role: str, name: str = "") -> User | None:
    """Add a member with no password and email them a one-time set-password link.

    None when the address belongs to another account: the caller answers exactly as
    for a sent invitation, so the form never reveals who uses the product elsewhere.
    """
    ensure_role(actor, ADMIN_OR_OWNER)
    if role == Role.OWNER:
        raise InvalidOperation("The owner role only moves by ownership transfer.")
    existing = User.objects.filter(email__iexact=(email or "").strip()).first()
    if existing is not None and existing.account_id != actor.account_id:
        return None
    user = create_user(actor.account, email, role, password=None, name=name)
    # An outbox row with the new member: sent after commit, and again by the sweep if the broker lost it.
    outbox.enqueue(INVITATION, user_id=str(user.pk), inviter_name=actor.display_name)
    return user


@register(INVITATION)
def _send_invitation(user_id, inviter_name: str) -> None:
    user = User.objects.select_related("account").filter(pk=user_id).first()
    if user is None or user.has_usable_password():
        return  # removed, or already set a password: the link is no longer wanted (a second run sends nothing)
    send_templated_mail(
        "accounts/email/invitation",
        {"user": user, "inviter": inviter_name, "link": set_password_link(user), "account": user.account},
        [user.email],
    )


def _guard_target(actor: User, target: User) -> None:
    ensure_role(actor, ADMIN_OR_OWNER)
    if target.account_id != actor.account_id:
        raise InvalidOperation("That user is not a member of your account.")
    if target.account_role == Role.OWNER:
        raise InvalidOperation("The owner's role only changes by ownership transfer.")


@transaction.atomic
def change_role(actor: User, target: User, role: str) -> User:
    if role not in Role.values or role == Role.OWNER:
        raise InvalidOperation("Choose admin, engineer or viewer; the owner role moves only by transfer.")
    _guard_target(actor, target)
    forget_tokens([target.pk])
    User.objects.filter(pk=target.pk).update(account_role=role)
    if role not in ENGINEER_OR_ADMIN:
        # Viewers do not get the live stream: open sockets close now, not at the next reconnect.
        close_user_connections(target.pk, "role changed to viewer")
    target.account_role = role
    return target


@transaction.atomic
def set_active(actor: User, target: User, active: bool) -> User:
    _guard_target(actor, target)
    if target.pk == actor.pk:
        raise InvalidOperation("You cannot deactivate yourself.")
    forget_tokens([target.pk])
    User.objects.filter(pk=target.pk).update(is_active=active)
    if not active:
        revoke_access(target, "deactivated")
    target.is_active = active
    return target


@transaction.atomic
def transfer_ownership(actor: User, target: User) -> User:
    """The current owner hands the owner role to another active member and becomes admin."""
    ensure_role(actor, [Role.OWNER])
    if target.account_id != actor.account_id or not target.is_active or target.pk == actor.pk:
        raise InvalidOperation("Ownership can only go to another active member of your account.")
    forget_tokens([actor.pk, target.pk])
    User.objects.filter(pk=actor.pk).update(account_role=Role.ADMIN)
    User.objects.filter(pk=target.pk).update(account_role=Role.OWNER)
    target.account_role = Role.OWNER
    return target


def set_email_notifications(user: User, enabled: bool) -> None:
    User.objects.filter(pk=user.pk).update(email_notifications=enabled)
    user.email_notifications = enabled


def revoke_access(user: User, reason: str) -> None:
    """Sign the user out everywhere but the current browser: API tokens deleted, open sockets closed."""
    Token.objects.filter(user_id=user.pk).delete()
    close_user_connections(user.pk, reason)


def after_operator_change(user: User, *, was_active: bool, old_role: str) -> None:
    """An operator changed the user in Django admin: the same revocations as the in-app pages."""
    if was_active and not user.is_active:
        revoke_access(user, "deactivated")
    elif old_role in ENGINEER_OR_ADMIN and user.account_role not in ENGINEER_OR_ADMIN:
        close_user_connections(user.pk, "role changed to viewer")


def password_changed(user: User) -> None:
    """After a password change or reset: old tokens stop working and open sockets close."""
    revoke_access(user, "password changed")


def signed_out(session_key: str | None) -> None:
    """After logout: the sockets of that browser session close; the user's other browsers stay signed in."""
    if session_key:
        close_session_connections(session_key, "signed out")
