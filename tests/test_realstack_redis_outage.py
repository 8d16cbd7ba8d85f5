"""A Redis outage degrades and loses nothing (issue 20 item 3), on the real stack.

redis-server is killed (no save: every queued task is gone) while escalations
are made through daphne, then started again empty. With nothing but the
worker and beat running, every escalation reaches an assessment (ready or
unavailable) and has its email rows within two minutes: the outbox recorded
each side effect with the handoff, and beat's sweep re-dispatched what the
outage lost. WebSocket handshakes right after the restart are accepted.
"""

import asyncio
import json
import time
import urllib.request

import pytest
import websockets
from django.test import Client
from rest_framework.authtoken.models import Token

from escalations import delivery
from escalations.models import Handoff, NotificationLog
from escalations.tests.live_fixtures import make_session
from outbox.models import OutboxMessage
from tests.support.browser import off_loop
from tests.support.live import live_celery_beat, reset_broker_connections, start_redis, stop_redis

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

DEADLINE_S = 120


def escalate_over_http(server, user, session) -> tuple[str, float]:
    token, _ = Token.objects.get_or_create(user=user)
    request = urllib.request.Request(
        f"{server.url}/api/v1/sessions/{session.pk}/handoffs/",
        data=json.dumps({"intent": "escalate", "engineer_notes": "Stuck", "priority": "high"}).encode(),
        method="POST",
        headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.loads(response.read())["id"], time.monotonic() - started


async def handshake(server, user_cookie: str) -> str:
    url = server.url.replace("http://", "ws://") + "/ws/escalations/"
    async with websockets.connect(
        url, origin=server.url, additional_headers={"Cookie": f"sessionid={user_cookie}"}, open_timeout=10
    ) as socket:
        try:
            await asyncio.wait_for(socket.recv(), timeout=1.0)
        except TimeoutError:
            return "open"  # accepted and still open: nothing to say yet
        return "message"


def settled(handoff_ids) -> list[str]:
    """The handoffs that still lack an assessment outcome or their email rows."""
    waiting = []
    for handoff in Handoff.objects.filter(pk__in=handoff_ids):
        emails = NotificationLog.objects.filter(handoff=handoff, channel="email").count()
        if handoff.assessment_status == "pending" or emails < delivery.recipients(handoff).count():
            waiting.append(str(handoff.pk))
    return waiting


def test_escalations_made_during_a_redis_outage_get_assessment_and_emails(
    live_stack, engineer, senior, senior2, measure
):
    sessions = [make_session(engineer, f"Outage test session {n}") for n in range(6)]
    browser = Client()
    browser.force_login(senior)
    cookie = browser.cookies["sessionid"].value

    with live_celery_beat():
        before, _ = escalate_over_http(live_stack, engineer, sessions[0])
        stop_redis()
        during = []
        for session in sessions[1:5]:
            handoff_id, seconds = escalate_over_http(live_stack, engineer, session)
            during.append(handoff_id)
            measure("escalate while Redis is down", seconds)
        start_redis()
        reset_broker_connections()  # this test process's own pooled broker connections died with it
        # Straight after the restart: the handshake is accepted (pooled connections were dead).
        assert off_loop(asyncio.run, handshake(live_stack, cookie)) in ("open", "message")
        after, _ = escalate_over_http(live_stack, engineer, sessions[5])

        ids = [before, *during, after]
        started = time.monotonic()
        while (waiting := settled(ids)) and time.monotonic() - started < DEADLINE_S:
            time.sleep(1)
        measure("all escalations settled after the restart", time.monotonic() - started)

    assert waiting == [], f"not settled within {DEADLINE_S}s: {waiting}"
    statuses = set(Handoff.objects.filter(pk__in=ids).values_list("assessment_status", flat=True))
    assert statuses <= {"ready", "unavailable"}
    assert not OutboxMessage.objects.filter(kind="escalations.assess", status="failed").exists()
