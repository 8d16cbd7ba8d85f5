"""One delivery attempt of a PsaPush, with conditional updates so a sent note is never re-posted."""

import logging
import re

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from flowpilot.activity import record, record_notes_export
from flowpilot.models import Activity
from flowpilot.psa.client import ConnectWiseClient, PsaError
from flowpilot.psa.crypto import UndecryptableSecret, decrypt
from flowpilot.psa.models import PsaConnection, PsaPush
from flowpilot.psa.packages import render_package

log = logging.getLogger(__name__)

# "12345", "#12345", "T-12345", "CW 12345": the ConnectWise ticket id is the trailing number.
TICKET_NUMBER = re.compile(r"^\s*[A-Za-z#\- ]*?(\d{1,10})\s*$")

SENT, FAILED, RETRY, SKIPPED = "sent", "failed", "retry", "skipped"


def attempt_push(push_id, *, retry_timeouts: bool = True) -> str:
    """Try to post the note once; returns sent, failed, retry (call again later) or skipped."""
    # Count the attempt only on a still-queued push: a redelivered task (acks_late) finds it sent and stops.
    if PsaPush.objects.filter(pk=push_id, status=PsaPush.Status.QUEUED).update(attempts=F("attempts") + 1) != 1:
        return SKIPPED
    push = PsaPush.objects.select_related("session", "requested_by").get(pk=push_id)
    try:
        _render_package_once(push)
        note = client_for(connection_for(push.account_id)).add_internal_note(_ticket_id(push), push.body, push.member)
    except PsaError as exc:
        retry = exc.retryable and (retry_timeouts or not exc.timed_out)
        if retry and push.attempts < settings.PSA_PUSH_MAX_ATTEMPTS:
            PsaPush.objects.filter(pk=push.pk, status=PsaPush.Status.QUEUED).update(
                http_status=exc.http_status, error=f"{exc.message}; retrying", updated_at=timezone.now()
            )
            log.warning("PSA push %s attempt %s failed, will retry: %s", push.pk, push.attempts, exc.message)
            return RETRY
        PsaPush.objects.filter(pk=push.pk, status=PsaPush.Status.QUEUED).update(
            status=PsaPush.Status.FAILED, http_status=exc.http_status, error=exc.message, updated_at=timezone.now()
        )
        log.warning("PSA push %s failed after %s attempt(s): %s", push.pk, push.attempts, exc.message)
        return FAILED
    with transaction.atomic():
        marked = PsaPush.objects.filter(pk=push.pk, status=PsaPush.Status.QUEUED).update(
            status=PsaPush.Status.SENT,
            http_status=note.http_status,
            external_id=note.id,
            error="",
            updated_at=timezone.now(),
        )
        if marked == 1 and push.session is not None:
            record(
                push.session,
                push.requested_by,
                Activity.Kind.PSA_PUSH,
                push_id=str(push.pk),
                push_kind=push.kind,
                ticket_ref=push.ticket_ref,
                note_id=note.id,
            )
            if push.kind == PsaPush.Kind.NOTES:
                record_notes_export(push.session, push.requested_by, "psa")
    log.info("PSA push %s sent as ConnectWise note %s on ticket %s", push.pk, note.id, push.ticket_ref)
    return SENT


def ticket_number(ticket_ref: str) -> int | None:
    match = TICKET_NUMBER.match(ticket_ref or "")
    return int(match.group(1)) if match else None


def connection_for(account_id) -> PsaConnection | None:
    return PsaConnection.objects.filter(account_id=account_id).first()


def client_for(connection: PsaConnection | None) -> ConnectWiseClient:
    """A client with the decrypted keys; PsaError when there is no usable connection."""
    if connection is None:
        raise PsaError("The ConnectWise connection was removed.")
    try:
        public_key, private_key = decrypt(connection.public_key_encrypted), decrypt(connection.private_key_encrypted)
    except UndecryptableSecret as exc:
        raise PsaError(str(exc)) from None
    return ConnectWiseClient(
        site=connection.site,
        company_id=connection.company_id,
        public_key=public_key,
        private_key=private_key,
        client_id=connection.client_id,
        timeout=settings.PSA_TIMEOUT_S,
    )


def _render_package_once(push: PsaPush) -> None:
    """Packages are rendered at the first attempt (an escalation's assessment may have arrived by then)."""
    if push.kind == PsaPush.Kind.NOTES or push.body:
        return
    body = render_package(push)
    if body is None:
        raise PsaError(f"The {push.get_kind_display().lower()}'s subject was removed before the push ran.")
    push.body = body
    PsaPush.objects.filter(pk=push.pk).update(body=push.body)


def _ticket_id(push: PsaPush) -> int:
    number = ticket_number(push.ticket_ref)
    if number is None:
        raise PsaError(f"Ticket reference {push.ticket_ref!r} is not a ConnectWise ticket number.")
    return number


def mark_abandoned(push_id, error: str) -> None:
    """The task gave up unexpectedly: the push must not stay queued forever."""
    PsaPush.objects.filter(pk=push_id, status=PsaPush.Status.QUEUED).update(
        status=PsaPush.Status.FAILED, error=error, updated_at=timezone.now()
    )


def attempts_of(push_id) -> int:
    return PsaPush.objects.filter(pk=push_id).values_list("attempts", flat=True).first() or 0
