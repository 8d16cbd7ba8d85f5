"""ConnectWise operations: the one path for pages, the API, hooks and `psa_connect`.

Saving a connection, testing it, looking up a ticket and queueing pushes live
here; the delivery attempt itself is in `delivery.py` (run by `tasks.py`).
Keys are never logged and never returned.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.access import ensure_role, has_role, role_message
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN, Account, User
from flowpilot.models import Session
from flowpilot.notes import render_ticket_notes
from flowpilot.psa import crypto
from flowpilot.psa.client import PsaError, Ticket, validate_site
from flowpilot.psa.delivery import client_for, connection_for, ticket_number
from flowpilot.psa.models import PsaConnection, PsaMember, PsaPush
from flowpilot.psa.tasks import PUSH
from outbox import services as outbox
from resolutionflow.domain import InvalidOperation, RoleRequired

log = logging.getLogger(__name__)

NOT_CONNECTED = "This account has no ConnectWise connection; an owner or admin can add one on the Account page."
# A queued push older than this is shown as stuck instead of being polled for.
POLL_WINDOW = timedelta(minutes=15)


def save_connection(
    account: Account,
    actor: User | None,
    *,
    site: str,
    company_id: str,
    client_id: str,
    public_key: str = "",
    private_key: str = "",
    push_notes_on_resolve: bool = False,
    push_package_on_escalate: bool = False,
) -> PsaConnection:
    """Create or update the account's connection; blank keys keep the stored ones. `actor` None = operator."""
    if actor is not None and (actor.account_id != account.pk or not has_role(actor, ADMIN_OR_OWNER)):
        raise RoleRequired(role_message(ADMIN_OR_OWNER))
    site, company_id, client_id = site.strip(), company_id.strip(), client_id.strip()
    if not (site and company_id and client_id):
        raise InvalidOperation("Site, company id and client id are required.")
    try:
        # Syntax here; the address is checked again every time a connection is opened.
        site = validate_site(site)
    except PsaError as exc:
        raise InvalidOperation(exc.message) from None
    with transaction.atomic():
        connection = PsaConnection.objects.select_for_update().filter(account=account).first()
        if connection is None:
            if not (public_key and private_key):
                raise InvalidOperation("Enter both the public and the private key.")
            connection = PsaConnection(account=account)
        connection.site = site
        connection.company_id = company_id
        connection.client_id = client_id
        if public_key:
            connection.public_key_encrypted = crypto.encrypt(public_key)
        if private_key:
            connection.private_key_encrypted = crypto.encrypt(private_key)
        connection.push_notes_on_resolve = push_notes_on_resolve
        connection.push_package_on_escalate = push_package_on_escalate
        connection.updated_by = actor
        connection.save()
    log.info("ConnectWise connection saved for account %s (site %s)", account.code, site)
    return connection


def test_connection(user: User) -> str:
    """One authenticated read against the saved connection; a success message, or PsaError."""
    ensure_role(user, ADMIN_OR_OWNER)
    connection = connection_for(user.account_id)
    if connection is None:
        raise InvalidOperation(NOT_CONNECTED)
    client_for(connection).check()
    return f"Connected to ConnectWise at {connection.site}."


def lookup_ticket(user: User, ticket: str) -> Ticket:
    """Ticket summary, company and contact for a new session; PsaError when ConnectWise says no."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    number = ticket_number(ticket)
    if number is None:
        raise InvalidOperation("Enter a ConnectWise ticket number, e.g. 12345.")
    connection = connection_for(user.account_id)
    if connection is None:
        raise InvalidOperation(NOT_CONNECTED)
    return client_for(connection).get_ticket(number)


def request_notes_push(session: Session, user: User | None) -> PsaPush:
    """Queue the session's redacted ticket notes as an internal note; `user` None = automatic push."""
    if user is not None:
        ensure_role(user, ENGINEER_OR_ADMIN)
    return _queue(session, PsaPush.Kind.NOTES, render_ticket_notes(session, "md"), user)


def request_package_push(session: Session, kind: str, subject_id, *, countdown: float = 0) -> PsaPush:
    """Queue a package (e.g. an escalation's) as an automatic internal note on the session's ticket.

    The body is rendered at the first delivery attempt by the renderer its app registered
    (`packages.py`), so a package can wait `countdown` seconds for data still arriving.
    """
    return _queue(session, kind, "", None, subject_id, countdown=countdown)


def auto_push_enabled(account_id, setting: str, ticket_ref: str) -> bool:
    """The account has a connection with `setting` (e.g. push_package_on_escalate) on, and a ticket number."""
    connection = connection_for(account_id)
    return bool(connection and getattr(connection, setting) and ticket_number(ticket_ref))


def push_notes_on_resolve(session_id) -> PsaPush | None:
    """After a resolve: push the notes when the account turned that on and the session has a ticket."""
    session = Session.objects.filter(pk=session_id).first()
    if not (session and auto_push_enabled(session.account_id, "push_notes_on_resolve", session.ticket_ref)):
        return None
    return request_notes_push(session, None)


def pushes_for(session: Session):
    return PsaPush.objects.filter(session=session, account_id=session.account_id).select_related("requested_by")


def is_polling(pushes) -> bool:
    """Poll the panel while a recent push is still queued."""
    cutoff = timezone.now() - POLL_WINDOW
    return any(p.status == PsaPush.Status.QUEUED and p.created_at >= cutoff for p in pushes)


def _queue(session: Session, kind: str, body: str, user: User | None, subject_id=None, countdown: float = 0) -> PsaPush:
    if ticket_number(session.ticket_ref) is None:
        raise InvalidOperation(
            "This session has no ConnectWise ticket number; set the ticket reference first."
            if not session.ticket_ref
            else f"Ticket reference {session.ticket_ref!r} is not a ConnectWise ticket number."
        )
    return _queue_note(session.account_id, session.ticket_ref, kind, body, user, session, subject_id, countdown)


def request_ticket_note_push(account_id, ticket_ref: str, body: str, user: User, *, kind: str, subject_id) -> PsaPush:
    """Queue a note an upper app rendered (already redacted) for a ticket, about `subject_id`, not a session."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    if ticket_number(ticket_ref) is None:
        raise InvalidOperation(f"Ticket reference {ticket_ref!r} is not a ConnectWise ticket number.")
    return _queue_note(account_id, ticket_ref, kind, body, user, None, subject_id)


def member_for(user: User | None) -> str:
    """The user's ConnectWise member identifier; "" when unmapped (the note is posted as the integration)."""
    if user is None:
        return ""
    return (
        PsaMember.objects.filter(user=user, account_id=user.account_id).values_list("identifier", flat=True).first()
        or ""
    )


def members_of(account_id) -> list[tuple[User, str]]:
    """Every active member of the account with their ConnectWise member identifier ("" when unmapped)."""
    mapped = dict(PsaMember.objects.filter(account_id=account_id).values_list("user_id", "identifier"))
    users = User.objects.filter(account_id=account_id, is_active=True).order_by("name", "email")
    return [(user, mapped.get(user.pk, "")) for user in users]


def save_member_mapping(actor: User, mapping: dict) -> None:
    """Set (or clear, with "") the ConnectWise member of users of the actor's account; owners and admins."""
    ensure_role(actor, ADMIN_OR_OWNER)
    users = {u.pk: u for u in User.objects.filter(account_id=actor.account_id, pk__in=list(mapping))}
    cleaned = {pk: " ".join(str(v).split())[:100] for pk, v in mapping.items() if pk in users}
    taken = [v.lower() for v in cleaned.values() if v]
    if len(taken) != len(set(taken)):
        raise InvalidOperation("Two users cannot be the same ConnectWise member.")
    with transaction.atomic():
        PsaMember.objects.filter(account_id=actor.account_id, user_id__in=list(cleaned)).delete()
        PsaMember.objects.bulk_create(
            [PsaMember(account_id=actor.account_id, user=users[pk], identifier=v) for pk, v in cleaned.items() if v]
        )
    log.info("ConnectWise member mapping saved for account %s by %s", actor.account_id, actor.pk)


def _queue_note(
    account_id, ticket_ref: str, kind: str, body: str, user: User | None, session, subject_id=None, countdown: float = 0
) -> PsaPush:
    if connection_for(account_id) is None:
        raise InvalidOperation(NOT_CONNECTED)
    with transaction.atomic():
        push = PsaPush.objects.create(
            account_id=account_id,
            session=session,
            subject_id=subject_id,
            kind=kind,
            ticket_ref=ticket_ref,
            body=body,
            member=member_for(user),
            requested_by=user,
        )
        # An outbox row with the push: a broker that is down neither fails the request nor loses the push.
        outbox.enqueue(PUSH, countdown=countdown, push_id=str(push.pk))
    return push
