"""The section 6 figures: exact values, what counts, tenancy, window edges."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import BaselineEntry
from analytics.queries import METRIC_DEFINITION, escalation_report, nearest_rank_index, parse_period
from escalations.tests.factories import activity, claimed_escalation
from flowpilot.models import Activity
from resolutionflow.domain import InvalidOperation

pytestmark = pytest.mark.django_db


def test_three_actions_give_exact_avg_median_and_p95(account, engineer, senior):
    for delay in (30, 60, 180):
        claimed_escalation(engineer, senior, action_after_s=delay, wait_s=delay * 2)

    report = escalation_report(account.pk)

    assert report["n_handoffs_claimed"] == 3
    assert report["n_handoffs_with_action"] == 3
    assert (report["ttfa_avg_s"], report["ttfa_median_s"], report["ttfa_p95_s"]) == (90, 60, 180)
    assert (report["time_to_claim_avg_s"], report["time_to_claim_median_s"], report["time_to_claim_p95_s"]) == (
        180,
        120,
        360,
    )
    assert report["metric_definition"] == METRIC_DEFINITION
    assert "baseline" in report["metric_definition"]


def test_claimed_without_action_counts_as_claimed_only(account, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=30)
    claimed_escalation(engineer, senior, action_after_s=None)

    report = escalation_report(account.pk)

    assert report["n_handoffs_claimed"] == 2
    assert report["n_handoffs_with_action"] == 1
    assert report["ttfa_avg_s"] == 30


def test_unclaimed_withdrawn_and_parked_handoffs_are_excluded(account, engineer, senior):
    claimed_escalation(engineer, None)
    withdrawn = claimed_escalation(engineer, None)
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    claimed_escalation(engineer, senior, action_after_s=45, intent="park")

    report = escalation_report(account.pk)

    assert report["n_handoffs_claimed"] == 0
    assert report["ttfa_avg_s"] is None
    assert report["ttfa_median_s"] is None
    assert report["ttfa_p95_s"] is None
    assert report["time_to_claim_avg_s"] is None


def test_action_by_someone_other_than_the_claimer_does_not_count(account, engineer, senior, senior2):
    handoff = claimed_escalation(engineer, senior)
    activity(handoff, senior2, Activity.Kind.MESSAGE, handoff.claimed_at + timedelta(seconds=10))
    activity(handoff, engineer, Activity.Kind.NOTE, handoff.claimed_at + timedelta(seconds=20))
    activity(handoff, senior, Activity.Kind.STEP_RESULT, handoff.claimed_at + timedelta(seconds=300))

    report = escalation_report(account.pk)

    assert report["n_handoffs_with_action"] == 1
    assert report["ttfa_avg_s"] == 300


def test_lifecycle_activities_and_actions_before_the_claim_do_not_count(account, engineer, senior):
    handoff = claimed_escalation(engineer, senior)
    for kind, offset in [
        (Activity.Kind.CLAIMED, 0),
        (Activity.Kind.CONTEXT_VIEWED, 5),
        (Activity.Kind.RELEASED, 8),
        (Activity.Kind.RESOLVED, 9),
        (Activity.Kind.MESSAGE, -60),
    ]:
        activity(handoff, senior, kind, handoff.claimed_at + timedelta(seconds=offset))

    assert escalation_report(account.pk)["n_handoffs_with_action"] == 0

    activity(handoff, senior, Activity.Kind.OUTPUT, handoff.claimed_at + timedelta(seconds=75))
    report = escalation_report(account.pk)
    assert report["n_handoffs_with_action"] == 1
    assert report["ttfa_avg_s"] == 75


def test_first_work_action_is_the_earliest_one(account, engineer, senior):
    handoff = claimed_escalation(engineer, senior, action_after_s=240)
    activity(handoff, senior, Activity.Kind.NOTE, handoff.claimed_at + timedelta(seconds=40))

    assert escalation_report(account.pk)["ttfa_avg_s"] == 40


def test_another_accounts_escalations_never_appear(account, other_account, engineer, senior, outsider):
    claimed_escalation(engineer, senior, action_after_s=30)
    from conftest import make_user

    contoso_engineer = make_user(other_account, "engineer", "dana@contoso.test")
    claimed_escalation(contoso_engineer, outsider, action_after_s=900)

    northwind = escalation_report(account.pk)
    contoso = escalation_report(other_account.pk)

    assert (northwind["n_handoffs_claimed"], northwind["ttfa_avg_s"]) == (1, 30)
    assert (contoso["n_handoffs_claimed"], contoso["ttfa_avg_s"]) == (1, 900)


@pytest.mark.parametrize(("period", "days"), [("7d", 7), ("30d", 30), ("90d", 90)])
def test_window_edges_hold_for_each_period(account, engineer, senior, period, days):
    now = timezone.now()
    claimed_escalation(
        engineer, senior, claimed_at=now - timedelta(days=days) + timedelta(minutes=1), action_after_s=60
    )
    claimed_escalation(
        engineer, senior, claimed_at=now - timedelta(days=days) - timedelta(minutes=1), action_after_s=600
    )

    report = escalation_report(account.pk, period, now=now)

    assert report["period"] == period
    assert report["n_handoffs_claimed"] == 1
    assert report["ttfa_avg_s"] == 60


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(account, engineer, senior):
    for delay in (10, 20, 40, 1000):
        claimed_escalation(engineer, senior, action_after_s=delay)

    report = escalation_report(account.pk)

    assert report["ttfa_median_s"] == 30
    assert report["ttfa_p95_s"] == 1000


def test_nearest_rank_index_rounds_halves_up():
    assert nearest_rank_index(1, 95) == 0
    assert nearest_rank_index(3, 95) == 2
    assert nearest_rank_index(11, 95) == 10
    assert nearest_rank_index(31, 95) == 29  # 28.5 rounds up
    assert nearest_rank_index(21, 95) == 19


@pytest.mark.parametrize("value", ["1d", "30", "7D", "all", "365d"])
def test_unknown_period_is_rejected_with_the_allowed_values(value):
    with pytest.raises(InvalidOperation, match="period must be one of 7d, 30d, 90d"):
        parse_period(value)


def test_missing_period_defaults_to_30d():
    assert parse_period(None) == "30d"
    assert parse_period("") == "30d"


def test_savings_need_both_baseline_and_in_product_number(account, engineer, senior, owner):
    assert escalation_report(account.pk)["savings"] is None

    now = timezone.now().replace(day=15, hour=12)  # mid-month: "this month" is unambiguous
    BaselineEntry.objects.create(
        account=account,
        recorded_by=owner,
        opened_at=now - timedelta(hours=2),
        first_action_at=now - timedelta(hours=2) + timedelta(minutes=6),
    )
    report = escalation_report(account.pk)
    assert report["baseline"] == {"n_entries": 1, "avg_s": 360}
    assert report["savings"] is None

    claimed_escalation(engineer, senior, claimed_at=now - timedelta(minutes=30), action_after_s=60)
    claimed_escalation(engineer, senior, claimed_at=now - timedelta(minutes=20), action_after_s=120)
    savings = escalation_report(account.pk, now=now)["savings"]
    assert savings["baseline_avg_s"] == 360
    assert savings["in_product_avg_s"] == 90
    assert savings["minutes_recovered_per_escalation"] == 4.5
    assert savings["n_with_action_this_month"] == 2
    assert savings["hours_saved_this_month"] == 0.15
    assert savings["n_seniors"] == 1
    # 270 s x 2 escalations / 1 senior / (30/7 weeks)
    assert savings["hours_saved_per_senior_per_week"] == round(270 * 2 / 3600 / (30 / 7), 2)
