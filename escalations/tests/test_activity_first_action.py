"""record() keeps Handoff.first_action_at: the claimer's first work Activity after the claim (SPEC section 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalations import services as escalations
from escalations.first_action import backfill_first_action
from escalations.models import Handoff
from flowpilot import services
from flowpilot.activity import record
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity, Session

pytestmark = pytest.mark.django_db

LIFECYCLE_KINDS = sorted(set(Activity.Kind.values) - set(WORK_ACTIVITY_KINDS))


def _session(user) -> Session:
    return services.open_session(user, problem_summary="VPN drops every ten minutes", problem_domain="networking")


@pytest.fixture
def claimed(engineer, senior) -> Handoff:
    """An escalation by the junior (`engineer`), claimed by `senior`."""
    return escalations.claim(escalations.escalate(_session(engineer), engineer, "Stuck on the tunnel"), senior)


def _first_action_at(handoff: Handoff):
    return Handoff.objects.values_list("first_action_at", flat=True).get(pk=handoff.pk)


def test_claim_leaves_first_action_at_empty(claimed):
    assert claimed.claimed_at is not None
    assert _first_action_at(claimed) is None


def test_claimers_first_note_sets_first_action_at(claimed, senior):
    note = services.add_note(claimed.session, senior, "Tunnel drops line up with the DHCP lease renewal")

    assert _first_action_at(claimed) == note.created_at
    assert note.created_at > claimed.claimed_at


@pytest.mark.parametrize("kind", sorted(WORK_ACTIVITY_KINDS))
def test_every_work_kind_by_the_claimer_counts(claimed, senior, kind):
    activity = record(claimed.session, senior, kind)

    assert _first_action_at(claimed) == activity.created_at


@pytest.mark.parametrize("kind", LIFECYCLE_KINDS)
def test_lifecycle_kinds_by_the_claimer_are_not_actions(claimed, senior, kind):
    record(claimed.session, senior, kind)

    assert _first_action_at(claimed) is None


def test_work_by_other_people_or_the_ai_is_not_the_claimers_action(claimed, engineer, senior2):
    record(claimed.session, engineer, Activity.Kind.NOTE, text="I also tried a new cable")
    record(claimed.session, senior2, Activity.Kind.MESSAGE, text="Drive-by idea")
    record(claimed.session, None, Activity.Kind.MESSAGE, text="system message")

    assert _first_action_at(claimed) is None


def test_work_before_the_claim_does_not_count(engineer, senior):
    session = _session(engineer)
    handoff = escalations.escalate(session, engineer, "Stuck")
    record(session, senior, Activity.Kind.NOTE, text="Looked before claiming")

    handoff = escalations.claim(handoff, senior)

    assert _first_action_at(handoff) is None
    later = record(session, senior, Activity.Kind.STEP_RESULT)
    assert _first_action_at(handoff) == later.created_at


def test_later_work_never_overwrites_the_first_action(claimed, senior):
    first = record(claimed.session, senior, Activity.Kind.MESSAGE, text="What does the firewall log say?")
    record(claimed.session, senior, Activity.Kind.NOTE, text="Second thought")
    record(claimed.session, senior, Activity.Kind.OUTPUT)

    assert _first_action_at(claimed) == first.created_at


def test_only_handoffs_of_the_same_session_change(claimed, engineer, senior):
    other = escalations.claim(escalations.escalate(_session(engineer), engineer, "Another one"), senior)

    record(claimed.session, senior, Activity.Kind.NOTE, text="Working the first one")

    assert _first_action_at(claimed) is not None
    assert _first_action_at(other) is None


def test_released_handoff_keeps_its_claimers_first_action_and_the_fresh_one_gets_its_own(claimed, senior, senior2):
    mine = record(claimed.session, senior, Activity.Kind.NOTE, text="Checked the tunnel config")
    fresh = escalations.release(claimed, senior)
    fresh = escalations.claim(fresh, senior2)
    theirs = record(claimed.session, senior2, Activity.Kind.MESSAGE, text="Try a lower MTU?")

    assert _first_action_at(claimed) == mine.created_at
    assert _first_action_at(fresh) == theirs.created_at


def test_a_released_handoff_without_work_stays_without_a_first_action(claimed, senior, senior2):
    fresh = escalations.claim(escalations.release(claimed, senior), senior2)
    record(claimed.session, senior2, Activity.Kind.NOTE, text="Picking it up")

    assert _first_action_at(claimed) is None
    assert _first_action_at(fresh) is not None


def test_live_values_agree_with_a_recompute_from_the_log(claimed, engineer, senior, senior2):
    record(claimed.session, engineer, Activity.Kind.NOTE, text="Escalator's note")
    record(claimed.session, senior, Activity.Kind.CONTEXT_VIEWED)
    record(claimed.session, senior, Activity.Kind.MESSAGE, text="Claimer's first question")
    fresh = escalations.claim(escalations.release(claimed, senior), senior2)
    record(claimed.session, senior2, Activity.Kind.STEP_ADDED)
    live = dict(Handoff.objects.values_list("pk", "first_action_at"))

    Handoff.objects.update(first_action_at=timezone.now() - timedelta(days=400))
    backfill_first_action()

    assert dict(Handoff.objects.values_list("pk", "first_action_at")) == live
    assert live[claimed.pk] is not None and live[fresh.pk] is not None
