"""seed_demo's analytics part: eight weeks of history, a baseline, idempotent, tenant-separate."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

import analytics.demo
from accounts import demo as accounts_demo
from analytics.models import BaselineEntry
from analytics.queries import claimed_escalations
from analytics.time_saved import parse_month, time_saved_report
from escalations.models import Handoff
from flowpilot.models import Activity

pytestmark = pytest.mark.django_db


def test_demo_history_is_realistic_idempotent_and_per_account():
    demo = accounts_demo.seed()
    analytics.demo.seed(demo)
    analytics.demo.seed(demo)
    northwind, users = demo["northwind"]
    contoso, _ = demo["contoso"]

    rows = claimed_escalations(northwind.pk)
    assert rows.count() == analytics.demo.N_ESCALATIONS
    assert Handoff.objects.filter(account=contoso).count() == 2
    assert set(rows.values_list("claimed_by", flat=True)) == {users["senior1"].pk, users["senior2"].pk}
    assert set(rows.values_list("handed_off_by", flat=True)) == {users["junior1"].pk, users["junior2"].pk}
    assert rows.filter(claimed_at__lt=timezone.now() - timedelta(days=50)).exists()
    ttfas = [t.total_seconds() for t in rows.exclude(ttfa=None).values_list("ttfa", flat=True)]
    assert all(30 <= t <= 360 for t in ttfas)
    assert 0 < rows.filter(first_action_at=None).count() < 8
    assert rows.filter(session__ticket_ref__startswith="DEMO-H-").count() == analytics.demo.N_ESCALATIONS
    assert len(set(rows.values_list("session__problem_domain", flat=True))) >= 5

    baseline = BaselineEntry.objects.filter(account=northwind, kind="escalation")
    assert baseline.count() == 8
    spans = [(e.first_action_at - e.opened_at).total_seconds() for e in baseline]
    assert all(240 <= s <= 540 for s in spans)
    assert not BaselineEntry.objects.filter(account=contoso, recorded_by__account=northwind).exists()
    assert not Handoff.objects.filter(account=contoso, session__account=northwind).exists()
    assert not Handoff.objects.exclude(account=F("session__account")).exists()


def test_demo_shows_every_time_saved_source():
    demo = accounts_demo.seed()
    analytics.demo.seed(demo)
    analytics.demo.seed(demo)
    northwind, _ = demo["northwind"]

    assert BaselineEntry.objects.filter(account=northwind, kind="ticket_notes").count() == 6
    exports = Activity.objects.filter(account=northwind, kind=Activity.Kind.NOTES_EXPORTED)
    assert exports.count() == 27  # two in three of the 40 resolved demo sessions, seeded twice
    report = time_saved_report(northwind.pk, parse_month(None))
    statuses = {s["key"]: s["status"] for s in report["sources"]}
    assert statuses == {"escalation": "measured", "ticket_notes": "measured", "flow": "no_flows"}
    assert sum(week["total"] for week in report["trend"]) > 0
