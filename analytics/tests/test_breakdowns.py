"""Per-tech, per-domain, weekly trend and export rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.breakdowns import export_rows, per_domain, per_tech, week_start, weekly_trend
from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db


def test_per_tech_groups_by_claimer_with_avg_and_median(account, engineer, senior, senior2):
    for delay in (30, 60, 180):
        claimed_escalation(engineer, senior, action_after_s=delay)
    for delay in (100, 200):
        claimed_escalation(engineer, senior2, action_after_s=delay)
    claimed_escalation(engineer, senior2, action_after_s=None)

    rows = {row["name"]: row for row in per_tech(account.pk, "30d")}

    assert rows["Sam Senior"] == {
        "claimer_id": str(senior.pk),
        "name": "Sam Senior",
        "n_claimed": 3,
        "n_with_action": 3,
        "ttfa_avg_s": 90,
        "ttfa_median_s": 60,
    }
    assert rows["Rita Senior"]["n_claimed"] == 3
    assert rows["Rita Senior"]["n_with_action"] == 2
    assert rows["Rita Senior"]["ttfa_avg_s"] == 150
    assert rows["Rita Senior"]["ttfa_median_s"] == 150


def test_per_domain_groups_by_session_domain(account, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=40, domain="email")
    claimed_escalation(engineer, senior, action_after_s=80, domain="email")
    claimed_escalation(engineer, senior, action_after_s=300, domain="identity")
    claimed_escalation(engineer, senior, action_after_s=None, domain="printing")

    rows = {row["domain"]: row for row in per_domain(account.pk, "30d")}

    assert rows["email"]["label"] == "Email"
    assert (rows["email"]["n_claimed"], rows["email"]["ttfa_avg_s"], rows["email"]["ttfa_median_s"]) == (2, 60, 60)
    assert rows["identity"]["ttfa_median_s"] == 300
    assert rows["printing"]["n_with_action"] == 0
    assert rows["printing"]["ttfa_median_s"] is None


def test_breakdowns_never_include_another_account(account, engineer, senior, outsider):
    claimed_escalation(engineer, senior, action_after_s=40)

    assert per_tech(outsider.account_id, "30d") == []
    assert per_domain(outsider.account_id, "30d") == []
    assert list(export_rows(outsider.account_id, "30d")) == []


def test_weekly_trend_has_twelve_weeks_and_a_rolling_average_over_underlying_values(account, engineer, senior):
    now = timezone.now()
    this_week = week_start(now)
    # Two escalations this week (60 s, 120 s), one three weeks ago (600 s), one outside the rolling window.
    claimed_escalation(engineer, senior, claimed_at=this_week + timedelta(minutes=1), action_after_s=60)
    claimed_escalation(engineer, senior, claimed_at=this_week + timedelta(minutes=2), action_after_s=120)
    claimed_escalation(
        engineer, senior, claimed_at=this_week - timedelta(weeks=3) + timedelta(hours=1), action_after_s=600
    )
    claimed_escalation(
        engineer, senior, claimed_at=this_week - timedelta(weeks=4) + timedelta(hours=1), action_after_s=9000
    )

    weeks = weekly_trend(account.pk, now=this_week + timedelta(minutes=5))

    assert len(weeks) == 12
    assert weeks[-1].start == this_week
    assert weeks[0].start == this_week - timedelta(weeks=11)
    assert (weeks[-1].n_with_action, weeks[-1].avg_s) == (2, 90)
    assert weeks[-1].rolling_avg_s == 260  # (60 + 120 + 600) / 3, not the mean of weekly means
    assert weeks[-4].avg_s == 600
    assert weeks[-5].avg_s == 9000
    assert weeks[-2].avg_s is None
    assert weeks[0].rolling_avg_s is None


def test_export_rows_list_each_claimed_escalation_of_the_period(account, engineer, senior):
    with_action = claimed_escalation(engineer, senior, action_after_s=45, wait_s=30, domain="server")
    without = claimed_escalation(engineer, senior, claimed_at=timezone.now() - timedelta(minutes=5))
    claimed_escalation(engineer, senior, claimed_at=timezone.now() - timedelta(days=40), action_after_s=5)

    rows = list(export_rows(account.pk, "30d"))

    assert [row[0] for row in rows] == [str(with_action.pk), str(without.pk)]
    assert rows[0][1] == str(with_action.session_id)
    assert rows[0][2] == "server"
    assert rows[0][5] == "Sam Senior"
    assert rows[0][6] == 30
    assert rows[0][8] == 45
    assert rows[1][7] == ""
    assert rows[1][8] == ""
