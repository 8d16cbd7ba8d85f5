"""Live queue updates over the channel layer.

Each function is called from `transaction.on_commit` by the escalation
services with the handoff's id and never raises into its caller. Fragments are
rendered once per event from the same partials as the page (user-neutral; the
per-user touches are applied in the browser by static/js/queue-live.js) and
swapped out-of-band by the htmx ws extension.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

from escalations.consumers import account_group
from escalations.models import Handoff, NotificationLog
from escalations.selectors import with_card_data

logger = logging.getLogger(__name__)

# The page's own partials (one template per card, SPEC section 5).
CARD_TEMPLATE = "escalations/queue.html#card"
COUNT_TEMPLATE = "escalations/queue.html#count"
ASSESSMENT_TEMPLATE = "escalations/context.html#assessment"


def escalation_created(handoff_id) -> None:
    """A new escalation: insert its card at the top of every open queue of the account."""
    handoff = _load(handoff_id)
    if handoff is None:
        return
    try:
        parts = []
        # Claimed or withdrawn between commit and this call: only the count is news.
        if handoff.is_open and handoff.intent == Handoff.Intent.ESCALATE:
            parts.append(format_html('<div hx-swap-oob="afterbegin:#queue-list">{}</div>', render_card(handoff)))
        parts.append(render_count(handoff.account_id))
        _send(handoff.account_id, "".join(parts))
    except Exception as exc:
        logger.exception("Live push for new escalation %s failed", handoff_id)
        _log_push(handoff, NotificationLog.Status.FAILED, f"{type(exc).__name__}: {exc}")
    else:
        _log_push(handoff, NotificationLog.Status.SENT, "")


def handoff_claimed(handoff_id) -> None:
    """Claimed: show "Claimed by NAME" briefly on the card, then remove it everywhere."""
    # The banner names the claimer only: no card to render, so none of the card's joins.
    handoff = _load(handoff_id, Handoff.objects.select_related("claimed_by"))
    if handoff is None:
        return
    try:
        name = handoff.claimed_by.display_name if handoff.claimed_by else "a teammate"
        # queue-live.js sees the banner, lets it show for about a second and removes the card.
        banner = format_html(
            '<div hx-swap-oob="beforeend:#handoff-{}">'
            '<p class="queue-card-claimed" data-testid="claimed-banner" data-claimed-by="{}" role="status">'
            "Claimed by {}</p></div>",
            handoff.pk,
            name,
            name,
        )
        _send(handoff.account_id, banner + render_count(handoff.account_id))
    except Exception:
        logger.exception("Live push for claimed handoff %s failed", handoff_id)


def handoff_withdrawn(handoff_id) -> None:
    """Withdrawn by the escalator, or closed because the session was resolved: remove the card everywhere."""
    handoff = _load(handoff_id)
    if handoff is None:
        return
    try:
        removal = format_html('<div id="handoff-{}" hx-swap-oob="delete"></div>', handoff.pk)
        _send(handoff.account_id, removal + render_count(handoff.account_id))
    except Exception:
        logger.exception("Live push for withdrawn handoff %s failed", handoff_id)


handoff_closed = handoff_withdrawn


def assessment_ready(handoff_id) -> None:
    """The AI assessment finished (ready or unavailable): update open context screens."""
    handoff = _load(handoff_id)
    if handoff is None:
        return
    try:
        # A top-level element with an id and no hx-swap-oob is an outerHTML swap of that id.
        _send(handoff.account_id, render_to_string(ASSESSMENT_TEMPLATE, {"handoff": handoff}))
    except Exception:
        logger.exception("Live push for assessment of handoff %s failed", handoff_id)


def render_card(handoff: Handoff) -> str:
    """The queue card as every member sees it before their own per-user touches."""
    # Unread for everyone here; queue-live.js clears it for the escalator.
    handoff.is_read = False
    return render_to_string(CARD_TEMPLATE, {"handoff": handoff})


def render_count(account_id) -> str:
    """The count heading (#queue-count) of an account, computed once per event."""
    count = Handoff.objects.open_escalations().filter(account_id=account_id).count()
    return render_to_string(COUNT_TEMPLATE, {"count": count, "oob": True})


def _load(handoff_id, queryset=None) -> Handoff | None:
    if queryset is None:
        queryset = with_card_data(Handoff.objects.select_related("claimed_by"))
    try:
        return queryset.get(pk=handoff_id)
    except Exception:
        logger.exception("Live push skipped: handoff %s could not be loaded", handoff_id)
        return None


def _send(account_id, html: str) -> None:
    async_to_sync(get_channel_layer().group_send)(account_group(account_id), {"type": "queue.fragment", "html": html})


def _log_push(handoff: Handoff, status: str, error: str) -> None:
    """One push row per new escalation (no recipient): the delivery panel shows it beside the emails."""
    try:
        NotificationLog.objects.update_or_create(
            handoff=handoff,
            channel=NotificationLog.Channel.PUSH,
            recipient=None,
            purpose=NotificationLog.Purpose.ESCALATED,
            defaults={
                "account_id": handoff.account_id,
                "status": status,
                "attempts": 1,
                "last_error": error[:2000],
                "sent_at": timezone.now() if status == NotificationLog.Status.SENT else None,
            },
        )
    except Exception:
        logger.exception("Could not log the live push for handoff %s", handoff.pk)
