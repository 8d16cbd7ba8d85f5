"""The time-to-first-action stat-card analytics contributes to the queue through `escalations.hooks`."""

import time
from datetime import timedelta

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import render_to_string
from django.utils import timezone

from analytics.models import BaselineEntry
from analytics.stat_card import STAT_CARD_CACHE_S, queue_stat_card
from analytics.templatetags.analytics_tags import duration
from escalations import hooks
from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db


def _render(user) -> str:
    card = hooks.stat_card_for(user)
    return render_to_string(card["template"], {"card": card}) if card else ""


def test_analytics_registers_the_card_with_the_queue_hook():
    assert queue_stat_card in hooks.queue_stat_card._receivers


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
    assert "0.1 hrs saved this month" in html
    assert 'href="/analytics/time-saved/"' in html
    assert "manual baseline 7 min 00 s vs in-product 1 min 00 s" in html


def test_card_renders_nothing_for_a_viewer(viewer, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=30)

    assert hooks.stat_card_for(viewer) is None


def test_card_for_outsider_counts_only_their_account(outsider, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=30)

    html = _render(outsider)

    assert "0 with a first action / 0 claimed" in html
    assert "No first actions after a claim" in html


def test_queue_page_includes_the_card_for_engineers_only(senior, owner, viewer, outsider, client_for):
    for user in (senior, owner, outsider):
        assert 'data-testid="ttfa-stat-card"' in client_for(user).get("/escalations/").content.decode()
    assert 'data-testid="ttfa-stat-card"' not in client_for(viewer).get("/escalations/").content.decode()


def test_card_says_how_old_its_figures_are_and_never_claims_to_be_live(senior, engineer):
    claimed_escalation(engineer, senior, action_after_s=30)

    html = _render(senior)

    assert "recomputed at most once a minute" in html
    assert "not live" in html
    assert "is live" not in html


def test_card_figures_are_cached_for_a_minute_per_account(engineer, senior, outsider, monkeypatch):
    claimed_escalation(engineer, senior, action_after_s=30)
    assert "1 with a first action / 1 claimed" in _render(senior)

    claimed_escalation(engineer, senior, action_after_s=90)

    assert "1 with a first action / 1 claimed" in _render(senior)
    assert "0 with a first action / 0 claimed" in _render(outsider)  # another account never sees the cached card
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + STAT_CARD_CACHE_S + 1)
    assert "2 with a first action / 2 claimed" in _render(senior)


class BrokenCache(LocMemCache):
    """A cache whose server is down: every call raises, as the Redis backend does."""

    def get(self, *args, **kwargs):
        raise ConnectionError("redis is down")

    def set(self, *args, **kwargs):
        raise ConnectionError("redis is down")


def test_queue_page_renders_the_card_when_the_cache_raises(senior, engineer, client_for, monkeypatch):
    claimed_escalation(engineer, senior, action_after_s=30)
    monkeypatch.setattr("analytics.stat_card.cache", BrokenCache("broken", {}))

    response = client_for(senior).get("/escalations/")

    assert response.status_code == 200
    assert "1 with a first action / 1 claimed" in response.content.decode()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0 s"), (45.4, "45 s"), (90, "1 min 30 s"), (3725, "1 h 02 min"), (-270, "-4 min 30 s")],
)
def test_duration_filter(seconds, text):
    assert duration(seconds) == text
