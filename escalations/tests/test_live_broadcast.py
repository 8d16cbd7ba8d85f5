"""Broadcast fragments: rendered once per event from the page's partials, sent only after commit, never raising."""

import re
from unittest import mock

import pytest

from escalations import broadcast, services
from escalations.models import NotificationLog
from escalations.tests.live_fixtures import GroupListener, make_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_channel_layer")]


@pytest.fixture
def listener(account):
    return GroupListener(account)


def escalate(user, django_capture_on_commit_callbacks, **fields):
    fields.setdefault("engineer_notes", "Rebooted the firewall, no change")
    fields.setdefault("priority", "high")
    with django_capture_on_commit_callbacks(execute=True):
        return services.escalate(make_session(user), user, **fields)


def only_html(listener) -> str:
    """The one queue fragment of the last event (the eager AI assessment pushes its own)."""
    messages = [m for m in listener.messages() if 'id="assessment-' not in m["html"]]
    assert len(messages) == 1, messages
    assert messages[0]["type"] == "queue.fragment"
    return messages[0]["html"]


def article(html: str, handoff_id) -> str:
    match = re.search(rf'<article id="handoff-{handoff_id}".*?</article>', html, re.S)
    assert match, html
    return match.group(0)


def test_new_escalation_is_one_user_neutral_fragment_with_card_and_count(
    engineer, listener, django_capture_on_commit_callbacks
):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    html = only_html(listener)
    assert re.match(r'<div hx-swap-oob="afterbegin:#queue-list">\s*<article ', html)
    card = article(html, handoff.pk)
    assert 'data-unread="true"' in card
    assert f'data-escalated-by="{engineer.pk}"' in card
    assert 'data-testid="pick-up"' in card
    assert '<h2 id="queue-count"' in html
    assert 'aria-label="1 escalation awaiting pickup"' in html
    assert 'hx-swap-oob="outerHTML"' in html


def test_broadcast_card_is_the_same_partial_as_the_page(
    engineer, senior, listener, client_for, django_capture_on_commit_callbacks
):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    pushed = article(only_html(listener), handoff.pk)
    page = client_for(senior).get("/escalations/queue/rows/")
    assert page.status_code == 200
    assert article(page.content.decode(), handoff.pk) == pushed


def test_new_escalation_logs_one_push_row_sent(engineer, listener, django_capture_on_commit_callbacks):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    push = NotificationLog.objects.get(handoff=handoff, channel="push")
    assert push.recipient is None
    assert push.status == "sent"
    assert push.attempts == 1
    assert push.account_id == handoff.account_id


def test_push_failure_is_logged_and_never_reaches_the_escalation(engineer, django_capture_on_commit_callbacks):
    with mock.patch.object(broadcast, "_send", side_effect=ConnectionError("redis is down")):
        handoff = escalate(engineer, django_capture_on_commit_callbacks)
    handoff.refresh_from_db()
    assert handoff.session.status == "escalated"
    push = NotificationLog.objects.get(handoff=handoff, channel="push")
    assert push.status == "failed"
    assert "redis is down" in push.last_error


def test_broadcast_functions_never_raise_for_unknown_handoffs(listener):
    missing = "00000000-0000-0000-0000-000000000000"
    for func in (broadcast.escalation_created, broadcast.handoff_claimed, broadcast.handoff_withdrawn):
        func(missing)
    broadcast.assessment_ready(missing)
    broadcast.escalation_created("not-a-uuid")
    assert listener.messages() == []


def test_markup_in_notes_and_names_is_escaped_in_fragments(
    engineer, senior, listener, django_capture_on_commit_callbacks
):
    senior.name = "<img src=x onerror=alert(1)>"
    senior.save(update_fields=["name"])
    handoff = escalate(engineer, django_capture_on_commit_callbacks, engineer_notes="<script>alert('x')</script>")
    created = only_html(listener)
    assert "<script>alert" not in created
    assert "&lt;script&gt;alert" in created
    with django_capture_on_commit_callbacks(execute=True):
        services.claim(handoff, senior)
    claimed = only_html(listener)
    assert "<img src=x" not in claimed
    assert "Claimed by &lt;img src=x onerror=alert(1)&gt;" in claimed


def test_claimed_card_gets_the_winner_banner_and_new_count(
    engineer, senior, listener, django_capture_on_commit_callbacks
):
    first = escalate(engineer, django_capture_on_commit_callbacks)
    escalate(engineer, django_capture_on_commit_callbacks)
    listener.messages()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim(first, senior)
    html = only_html(listener)
    assert html.startswith(f'<div hx-swap-oob="beforeend:#handoff-{first.pk}">')
    assert 'data-testid="claimed-banner" data-claimed-by="Sam Senior"' in html
    assert 'aria-label="1 escalation awaiting pickup"' in html


def test_escalation_claimed_before_its_broadcast_only_updates_the_count(engineer, senior, listener):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    services.claim(handoff, senior)
    broadcast.escalation_created(handoff.pk)
    html = only_html(listener)
    assert "queue-list" not in html
    assert 'aria-label="0 escalations awaiting pickup"' in html


def test_parking_broadcasts_nothing(engineer, listener, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.park(make_session(engineer), engineer, engineer_notes="waiting on client", priority="low")
    assert listener.messages() == []


def test_count_is_scoped_to_the_account(engineer, outsider, listener, django_capture_on_commit_callbacks):
    escalate(outsider, django_capture_on_commit_callbacks)
    assert listener.messages() == []
    escalate(engineer, django_capture_on_commit_callbacks)
    assert 'aria-label="1 escalation awaiting pickup"' in only_html(listener)


def test_release_puts_a_fresh_card_on_the_queue(engineer, senior, listener, django_capture_on_commit_callbacks):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim(handoff, senior)
    listener.messages()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.release(handoff, senior)
    html = only_html(listener)
    assert f'id="handoff-{fresh.pk}"' in html
    assert f'data-escalated-by="{senior.pk}"' in html


def test_assessment_ready_pushes_the_assessment_partial_for_outer_html_swap(engineer, listener):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    broadcast.assessment_ready(handoff.pk)
    [message] = listener.messages()
    html = message["html"].strip()
    assert html.startswith(f'<section id="assessment-{handoff.pk}"')
    assert 'data-testid="context-assessment"' in html
    assert "hx-swap-oob" not in html.split(">", 1)[0]
