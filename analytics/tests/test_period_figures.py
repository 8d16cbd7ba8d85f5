"""The dashboard's one-scan figures equal the report, per tech and per domain computed apart (both databases)."""

from datetime import UTC, datetime, timedelta

import pytest

from analytics.breakdowns import per_domain, per_tech
from analytics.models import BaselineEntry
from analytics.period_figures import period_figures
from analytics.queries import PERIODS, escalation_report
from escalations.models import Handoff
from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db

# Mid-month, so the 7-day period starts after the month does and this month's savings reach before it.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def apart(account_id, period: str) -> dict:
    return {
        "report": escalation_report(account_id, period, NOW),
        "per_tech": per_tech(account_id, period, NOW),
        "per_domain": per_domain(account_id, period, NOW),
    }


@pytest.fixture
def history(account, engineer, senior, senior2, owner):
    def at(days: float) -> datetime:
        return NOW - timedelta(days=days)

    # Even and odd counts (the median of two middles, a .5 s mean), one without an action.
    for days, delay, domain in ((1, 30, "email"), (2, 61, "email"), (3, 180, "identity"), (50, 7, "email")):
        claimed_escalation(engineer, senior, claimed_at=at(days), action_after_s=delay, domain=domain, wait_s=days * 9)
    for days, delay in ((4, 100), (20, 200), (80, 45.5)):
        claimed_escalation(engineer, senior2, claimed_at=at(days), action_after_s=delay, domain="server")
    claimed_escalation(engineer, senior2, claimed_at=at(5), action_after_s=None, domain="printing")
    # This month's, before the 7-day period, by a claimer with nothing in it: in the savings, not in per tech.
    claimed_escalation(engineer, owner, claimed_at=at(15), action_after_s=90, domain="cloud")
    # A claimer who left: "Former member".
    gone = claimed_escalation(engineer, senior, claimed_at=at(6), action_after_s=12, domain="cloud")
    Handoff.objects.filter(pk=gone.pk).update(claimed_by=None)
    # Outside every period, in the future, and another account's: never counted.
    claimed_escalation(engineer, senior, claimed_at=at(120), action_after_s=5)
    claimed_escalation(engineer, senior, claimed_at=NOW + timedelta(hours=1), action_after_s=5)


def test_every_period_equals_the_figures_computed_apart(history, account):
    for period in PERIODS:
        assert period_figures(account.pk, period, NOW) == apart(account.pk, period), period


def test_with_a_baseline_the_savings_equal_too(history, account):
    for i in range(3):
        opened = NOW - timedelta(days=2, hours=i)
        BaselineEntry.objects.create(
            account=account, ticket_ref=f"B{i}", opened_at=opened, first_action_at=opened + timedelta(minutes=10 + i)
        )

    for period in PERIODS:
        figures = period_figures(account.pk, period, NOW)
        assert figures["report"]["savings"]["n_seniors"]
        assert figures == apart(account.pk, period), period


def test_an_empty_period_has_an_empty_report(account, senior):
    figures = period_figures(account.pk, "7d", NOW)

    assert figures == apart(account.pk, "7d")
    assert (figures["report"]["n_handoffs_claimed"], figures["per_tech"], figures["per_domain"]) == (0, [], [])
