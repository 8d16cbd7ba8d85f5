"""Thirty seniors press Pick Up at the same moment: exactly one wins, everyone else gets a clean 409."""

import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from conftest import make_user
from escalations import services
from escalations.models import Handoff
from escalations.tests.conftest import make_worked_session
from flowpilot.models import Activity

CLAIMERS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_claims_have_exactly_one_winner(account, engineer):
    handoff = services.escalate(make_worked_session(engineer), engineer, engineer_notes="race")
    clients = []
    for n in range(CLAIMERS):
        user = make_user(account, Role.ENGINEER, f"senior{n}@northwind.test", f"Senior {n:02d}")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        clients.append(client)

    start = threading.Barrier(CLAIMERS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def claim(client):
        try:
            start.wait()
            response = client.post(f"/api/v1/handoffs/{handoff.pk}/claim/")
            with lock:
                results.append((response.status_code, response.json()))
        finally:
            connection.close()  # each thread used its own connection

    threads = [threading.Thread(target=claim, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    statuses = sorted(code for code, _ in results)
    assert len(results) == CLAIMERS
    assert statuses == [200] + [409] * (CLAIMERS - 1)
    handoff.refresh_from_db()
    winner = handoff.claimed_by.display_name
    assert next(body for code, body in results if code == 200)["claimed_by"]["name"] == winner
    for code, body in results:
        if code == 409:
            assert body["detail"].startswith(f"Already claimed by {winner} ")
            assert body["claimed_by"]["name"] == winner
            assert body["claimed_at"]
    assert Activity.objects.filter(session=handoff.session, kind=Activity.Kind.CLAIMED).count() == 1
    assert Handoff.objects.filter(pk=handoff.pk, claimed_at__isnull=False).count() == 1
