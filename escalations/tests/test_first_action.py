"""backfill_first_action: recompute Handoff.first_action_at from the Activity log, for history written in bulk."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from escalations.first_action import backfill_first_action
from escalations.models import Handoff
from escalations.tests.factories import claimed_escalation
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("escalations.migrations.0002_handoff_first_action_at")


def _log(handoff: Handoff, actor, kind: str, after_claim_s: float) -> Activity:
    """A backdated Activity written directly, as bulk history is (record() never runs)."""
    return Activity.objects.create(
        session=handoff.session,
        account_id=handoff.account_id,
        actor=actor,
        kind=kind,
        created_at=handoff.claimed_at + timedelta(seconds=after_claim_s),
    )


def _stored(handoff: Handoff):
    return Handoff.objects.values_list("first_action_at", flat=True).get(pk=handoff.pk)


@pytest.fixture
def history(engineer, senior, senior2):
    """A claimed escalation whose log holds every kind of non-action, and two actions written out of order."""
    handoff = claimed_escalation(engineer, senior)
    _log(handoff, senior, Activity.Kind.NOTE, -30)  # before the claim
    _log(handoff, senior, Activity.Kind.CONTEXT_VIEWED, 5)  # lifecycle
    _log(handoff, senior2, Activity.Kind.MESSAGE, 10)  # not the claimer
    _log(handoff, engineer, Activity.Kind.NOTE, 12)  # the escalator
    _log(handoff, None, Activity.Kind.MESSAGE, 14)  # no actor
    _log(handoff, senior, Activity.Kind.STEP_RESULT, 300)
    first = _log(handoff, senior, Activity.Kind.OUTPUT, 90)
    return handoff, first


def test_backfill_finds_the_claimers_first_work_after_the_claim(history):
    handoff, first = history
    Handoff.objects.filter(pk=handoff.pk).update(first_action_at=None)

    updated = backfill_first_action(Handoff.objects.filter(pk=handoff.pk))

    assert updated == 1
    assert _stored(handoff) == first.created_at


def test_backfill_corrects_a_stale_value(history):
    handoff, first = history
    Handoff.objects.filter(pk=handoff.pk).update(first_action_at=timezone.now())

    backfill_first_action()

    assert _stored(handoff) == first.created_at


def test_backfill_clears_a_value_with_no_action_behind_it(engineer, senior):
    handoff = claimed_escalation(engineer, senior)
    _log(handoff, senior, Activity.Kind.RESOLVED, 60)
    Handoff.objects.filter(pk=handoff.pk).update(first_action_at=timezone.now())

    backfill_first_action()

    assert _stored(handoff) is None


def test_backfill_touches_only_the_claimed_handoffs_of_its_queryset(history, engineer, senior):
    handoff, _ = history
    outside = claimed_escalation(engineer, senior, action_after_s=45)
    unclaimed = claimed_escalation(engineer, None)
    Handoff.objects.update(first_action_at=None)

    updated = backfill_first_action(Handoff.objects.exclude(pk=outside.pk))

    assert updated == 1  # the unclaimed one is skipped, `outside` is not in the queryset
    assert _stored(handoff) is not None
    assert _stored(outside) is None
    assert _stored(unclaimed) is None


def test_migration_backfill_gives_the_same_values(history, engineer, senior):
    handoff, first = history
    other = claimed_escalation(engineer, senior, action_after_s=45)
    expected = {handoff.pk: first.created_at, other.pk: _stored(other)}
    Handoff.objects.update(first_action_at=None)

    MIGRATION.backfill_first_action(apps, None)

    assert dict(Handoff.objects.values_list("pk", "first_action_at")) == expected


def test_migration_froze_the_current_work_kinds():
    # If WORK_ACTIVITY_KINDS changes, stored values follow the old rule: add a migration that re-runs the backfill.
    assert set(MIGRATION.WORK_ACTIVITY_KINDS) == set(WORK_ACTIVITY_KINDS)
