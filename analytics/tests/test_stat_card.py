"""The time-to-first-action stat-card the queue page includes."""

import time
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from analytics.models import BaselineEntry
from analytics.templatetags.analytics_tags import STAT_CARD_CACHE_S, duration
from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db


def _render(user) -> str:
    request = RequestFactory().get("/escalations/")
    request.user = user
    return Template("{% load analytics_tags %}{% ttfa_stat_card %}").render(Context({"request": request}))


def test_card_shows_avg_median_and_reach(engineer, senior):
    for delay in (30, 60, 180):
        claimed_escalation(engineer, senior, action_after_s=delay)
    claimed_escalation(engineer, senior, action_after_s=None)

    html = _render(senior)

    assert 'data-testid="ttfa-stat-card"' in html
    assert "Time to first action (30d)" in html
    assert "1 min 30 s" in html and "1 min 00 s" in html
    assert "3 with a first action / 4 claimed (75% reached a first action)" in html
    assert "hrs saved" not in html


def test_card_shows_hours_saved_next_to_both_inputs_when_a_baseline_exists(engineer, senior):
    claimed_escalation(engineer, senior, claimed_at=timezone.now() - timedelta(minutes=10), action_after_s=60)
    opened = timezone.now() - timedelta(days=3)
    BaselineEntry.objects.create(
        account=senior.account, recorded_by=senior, opened_at=opened, first_action_at=opened + timedelta(minutes=7)
    )

    html = _render(senior)

    assert 'data-testid="stat-ttfa-savings"' in html
    assert "hrs saved this month" in html
    assert 'href="/analytics/escalations/"' in html
    assert "manual baseline 7 min 00 s vs in-product 1 min 00 s" in html


def test_card_renders_nothing_for_a_viewer(viewer, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=30)

    assert _render(viewer).strip() == ""


def test_card_for_outsider_counts_only_their_account(outsider, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=30)

    html = _render(outsider)

    assert "0 with a first action / 0 claimed" in html
    assert "No first actions after a claim" in html


def test_queue_page_includes_the_card_for_engineers_only(senior, viewer, client_for):
    assert 'data-testid="ttfa-stat-card"' in client_for(senior).get("/escalations/").content.decode()
    assert 'data-testid="ttfa-stat-card"' not in client_for(viewer).get("/escalations/").content.decode()


def test_card_figures_are_cached_for_a_minute_per_account_while_the_dashboard_stays_live(
    engineer, senior, owner, outsider, client_for, monkeypatch
):
    claimed_escalation(engineer, senior, action_after_s=30)
    assert "1 with a first action / 1 claimed" in _render(senior)

    claimed_escalation(engineer, senior, action_after_s=90)

    html = _render(senior)
    assert "1 with a first action / 1 claimed" in html
    assert "Updated every minute" in html
    assert "0 with a first action / 0 claimed" in _render(outsider)  # another account never sees the cached card
    dashboard = client_for(owner).get("/analytics/escalations/").content.decode()
    assert "2 / 2" in dashboard
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + STAT_CARD_CACHE_S + 1)
    assert "2 with a first action / 2 claimed" in _render(senior)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0 s"), (45.4, "45 s"), (90, "1 min 30 s"), (3725, "1 h 02 min"), (-270, "-4 min 30 s")],
)
def test_duration_filter(seconds, text):
    assert duration(seconds) == text
