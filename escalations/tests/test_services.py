"""Escalation services: state moves, Activity, snapshot and after-commit side effects."""

from unittest import mock

import pytest

from escalations import broadcast, selectors, services
from escalations.models import SNAPSHOT_SCHEMA_VERSION, Handoff, HandoffView
from escalations.tests.conftest import make_worked_session
from flowpilot.models import Activity, Session, Step
from outbox.models import OutboxMessage
from resolutionflow.domain import Conflict, InvalidOperation, RoleRequired


def kinds(session) -> list[str]:
    return list(session.activities.order_by("created_at").values_list("kind", flat=True))


def test_escalate_snapshots_what_was_tried(escalation, worked_session, engineer):
    snap = escalation.snapshot
    assert snap["schema_version"] == SNAPSHOT_SCHEMA_VERSION
    assert snap["summary"] == "Outlook keeps prompting for a password"
    assert (snap["domain"], snap["client"], snap["ticket"]) == ("email", "Leeds Dental", "T-2001")
    assert [s["title"] for s in snap["steps"]] == [
        "Check credential manager",
        "Recreate the Outlook profile",
        "Test OWA sign-in",
    ]
    dead_end = snap["steps"][1]
    assert dead_end["status"] == "failed" and dead_end["is_dead_end"] is True
    assert dead_end["result_note"] == "Prompt came back after restart"
    assert snap["steps"][0]["output_excerpt"] == "Deleted: MicrosoftOffice16_Data"
    assert set(snap["steps"][0]) == {
        "title",
        "status",
        "result_note",
        "output_excerpt",
        "is_dead_end",
        "source",
        "command",
    }
    assert snap["counts"] == {
        "steps": 3,
        "tried": 2,
        "skipped": 0,
        "done": 1,
        "failed": 1,
        "dead_ends": 1,
        "messages": 1,
    }
    assert [m["role"] for m in snap["recent_messages"]] == ["user", "assistant"]
    assert snap["notes"] == ["User is on a hybrid-joined laptop"]
    assert snap["time_spent_s"] >= 25 * 60
    assert snap["escalator_notes"] == "Stuck after profile rebuild"


def test_escalate_moves_session_to_escalated_and_records_activity(escalation, worked_session, engineer):
    worked_session.refresh_from_db()
    assert worked_session.status == Session.Status.ESCALATED
    assert worked_session.assignee is None
    assert escalation.assessment_status == Handoff.AssessmentStatus.PENDING
    activity = worked_session.activities.get(kind=Activity.Kind.ESCALATED)
    assert activity.actor == engineer
    assert activity.payload["handoff_id"] == str(escalation.pk)


def test_engineer_may_escalate_a_colleagues_session_and_owner_is_kept(worked_session, engineer, senior):
    handoff = services.escalate(worked_session, senior, engineer_notes="Taking it up the chain")
    worked_session.refresh_from_db()
    assert handoff.handed_off_by == senior
    assert worked_session.owner == engineer


def test_snapshot_redacts_secrets_in_output(engineer):
    session = make_worked_session(engineer)
    Step.objects.filter(session=session, order=1).update(output="net use \\\\srv /user:bob Password=Hunter2!")
    handoff = services.escalate(session, engineer)
    assert "Hunter2" not in str(handoff.snapshot)


def test_long_output_is_excerpted_head_and_tail(engineer):
    session = make_worked_session(engineer)
    Step.objects.filter(session=session, order=1).update(output="START " + "x" * 5000 + " END-ERROR")
    excerpt = services.escalate(session, engineer).snapshot["steps"][0]["output_excerpt"]
    assert excerpt.startswith("START") and excerpt.endswith("END-ERROR") and len(excerpt) < 700


def test_escalate_by_viewer_is_forbidden(worked_session, viewer):
    with pytest.raises(RoleRequired, match="engineer or admin role required"):
        services.escalate(worked_session, viewer)


def test_escalate_of_another_accounts_session_is_refused(worked_session, outsider):
    with pytest.raises(InvalidOperation):
        services.escalate(worked_session, outsider)


def test_escalate_twice_is_refused_because_session_is_no_longer_active(escalation, worked_session, senior):
    with pytest.raises(InvalidOperation, match="Only an active session"):
        services.escalate(worked_session, senior)


def test_escalate_with_unknown_priority_is_refused(worked_session, engineer):
    with pytest.raises(InvalidOperation, match="Priority must be one of"):
        services.escalate(worked_session, engineer, priority="asap")
    assert not Handoff.objects.exists()


def outbox_kinds(handoff) -> list[str]:
    return [m.kind for m in OutboxMessage.objects.order_by("created_at") if m.args.get("handoff_id") == str(handoff.pk)]


def test_escalate_runs_side_effects_only_after_commit(worked_session, engineer, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(broadcast, "escalation_created") as pushed,
        mock.patch("outbox.services.dispatch") as dispatched,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        handoff = services.escalate(worked_session, engineer)
        assert not pushed.called and not dispatched.called  # nothing before commit
    assert len(callbacks) == 4
    pushed.assert_called_once_with(handoff.pk)
    # Recorded with the handoff (the outbox), dispatched after commit.
    assert outbox_kinds(handoff) == ["escalations.assess", "escalations.email_fan_out", "psa.escalated"]
    assert dispatched.call_count == 3


def test_failing_side_effect_never_undoes_the_escalation(worked_session, engineer, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(broadcast, "escalation_created", side_effect=RuntimeError("redis down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        handoff = services.escalate(worked_session, engineer)
    assert Handoff.objects.filter(pk=handoff.pk).exists()
    # Later side effects still ran (in-process here): the email fan-out is done.
    fan_out = OutboxMessage.objects.get(kind="escalations.email_fan_out")
    assert fan_out.status == OutboxMessage.Status.DONE


def test_park_is_private_and_not_assessed(engineer, django_capture_on_commit_callbacks):
    session = make_worked_session(engineer)
    with (
        mock.patch.object(broadcast, "escalation_created") as pushed,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        handoff = services.park(session, engineer, engineer_notes="Waiting on client")
    session.refresh_from_db()
    assert session.status == Session.Status.PARKED and session.assignee is None
    assert handoff.intent == Handoff.Intent.PARK
    assert handoff.assessment_status == Handoff.AssessmentStatus.UNAVAILABLE
    assert callbacks == [] and not pushed.called and not OutboxMessage.objects.exists()
    assert Activity.Kind.PARKED in kinds(session)


def test_claim_makes_session_active_with_claimer_as_assignee(escalation, worked_session, senior):
    claimed = services.claim(escalation, senior)
    worked_session.refresh_from_db()
    assert claimed.claimed_by == senior and claimed.claimed_at is not None
    assert worked_session.status == Session.Status.ACTIVE
    assert worked_session.assignee == senior
    assert worked_session.activities.get(kind=Activity.Kind.CLAIMED).actor == senior
    assert HandoffView.objects.get(handoff=escalation, user=senior).opened_at is not None


def test_claim_broadcasts_after_commit(escalation, senior, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(broadcast, "handoff_claimed") as claimed,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.claim(escalation, senior)
    claimed.assert_called_once_with(escalation.pk)


def test_second_claim_is_a_conflict_naming_the_winner(escalation, senior, senior2):
    services.claim(escalation, senior)
    with pytest.raises(Conflict) as lost:
        services.claim(escalation, senior2)
    assert lost.value.message.startswith("Already claimed by Sam Senior ")
    assert lost.value.message.endswith("s ago")
    assert lost.value.extra["claimed_by_name"] == "Sam Senior"
    assert lost.value.extra["claimed_by"]["id"] == str(senior.pk)
    assert lost.value.extra["claimed_at"]


def test_claim_of_a_handoff_read_as_taken_answers_409_without_touching_the_database(
    escalation, senior, senior2, django_assert_num_queries
):
    services.claim(escalation, senior)
    taken = Handoff.objects.select_related("claimed_by").get(pk=escalation.pk)
    with django_assert_num_queries(0), pytest.raises(Conflict, match="Already claimed by Sam Senior"):
        services.claim(taken, senior2)


def test_claim_of_an_open_handoff_in_a_resolved_session_is_rolled_back(escalation, worked_session, senior):
    # The row still says open (a stale read), but its session was resolved meanwhile.
    Session.objects.filter(pk=worked_session.pk).update(status=Session.Status.RESOLVED)
    with pytest.raises(Conflict, match="This session was resolved"):
        services.claim(escalation, senior)
    escalation.refresh_from_db()
    assert escalation.claimed_at is None and escalation.claimed_by is None


def test_escalator_cannot_claim_their_own_escalation(escalation, engineer):
    with pytest.raises(InvalidOperation, match="withdraw it instead"):
        services.claim(escalation, engineer)
    escalation.refresh_from_db()
    assert escalation.claimed_at is None


def test_claim_by_viewer_is_forbidden(escalation, viewer):
    with pytest.raises(RoleRequired, match="engineer or admin role required"):
        services.claim(escalation, viewer)


def test_parked_session_can_be_picked_up_by_whoever_parked_it(parked, engineer):
    claimed = services.claim(parked, engineer)
    assert claimed.claimed_by == engineer
    assert claimed.session.status == Session.Status.ACTIVE


def test_parked_session_can_be_picked_up_by_a_colleague(parked, senior):
    assert services.claim(parked, senior).session.assignee == senior


def test_release_keeps_the_claim_and_queues_a_fresh_handoff(
    escalation, worked_session, senior, django_capture_on_commit_callbacks
):
    services.claim(escalation, senior)
    with (
        mock.patch.object(broadcast, "escalation_created") as pushed,
        django_capture_on_commit_callbacks(execute=True),
    ):
        fresh = services.release(escalation, senior)
    escalation.refresh_from_db()
    worked_session.refresh_from_db()
    assert escalation.claimed_by == senior and escalation.released_at is not None
    assert fresh.pk != escalation.pk and fresh.is_open
    assert fresh.engineer_notes == "Released by Sam Senior: Stuck after profile rebuild"
    assert (fresh.intent, fresh.priority) == (escalation.intent, escalation.priority)
    assert fresh.snapshot["schema_version"] == SNAPSHOT_SCHEMA_VERSION
    assert worked_session.status == Session.Status.ESCALATED and worked_session.assignee is None
    assert list(selectors.open_escalations(senior)) == [fresh]
    pushed.assert_called_once_with(fresh.pk)
    assert outbox_kinds(fresh) == ["escalations.assess"]
    assert Activity.Kind.RELEASED in kinds(worked_session)


def test_released_parked_session_goes_back_to_parked(parked, senior):
    services.claim(parked, senior)
    fresh = services.release(parked, senior)
    assert fresh.intent == Handoff.Intent.PARK
    assert fresh.session.status == Session.Status.PARKED


def test_release_by_someone_other_than_the_claimer_is_refused(escalation, senior, senior2):
    services.claim(escalation, senior)
    with pytest.raises(InvalidOperation, match="who claimed"):
        services.release(escalation, senior2)


def test_release_twice_is_refused(escalation, senior):
    services.claim(escalation, senior)
    services.release(escalation, senior)
    escalation.refresh_from_db()
    with pytest.raises(InvalidOperation, match="already released"):
        services.release(escalation, senior)


def test_withdraw_returns_the_session_to_the_escalator(
    escalation, worked_session, engineer, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(broadcast, "handoff_withdrawn") as withdrawn,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.withdraw(escalation, engineer)
    escalation.refresh_from_db()
    worked_session.refresh_from_db()
    assert escalation.withdrawn_at is not None
    assert worked_session.status == Session.Status.ACTIVE and worked_session.assignee == engineer
    withdrawn.assert_called_once_with(escalation.pk)
    assert Activity.Kind.WITHDRAWN in kinds(worked_session)
    assert not selectors.open_escalations(engineer).exists()


def test_withdraw_by_someone_else_is_refused(escalation, senior):
    with pytest.raises(InvalidOperation, match="who raised"):
        services.withdraw(escalation, senior)


def test_withdraw_after_claim_is_a_conflict(escalation, engineer, senior):
    services.claim(escalation, senior)
    escalation.refresh_from_db()
    with pytest.raises(Conflict, match="Already claimed by Sam Senior"):
        services.withdraw(escalation, engineer)


def test_claim_after_withdraw_is_a_conflict(escalation, engineer, senior):
    services.withdraw(escalation, engineer)
    with pytest.raises(Conflict, match="withdrawn"):
        services.claim(escalation, senior)


def test_mark_opened_records_context_viewed_once(escalation, worked_session, senior):
    services.mark_opened(escalation, senior)
    services.mark_opened(escalation, senior)
    viewed = worked_session.activities.filter(kind=Activity.Kind.CONTEXT_VIEWED)
    assert viewed.count() == 1 and viewed.get().actor == senior


def test_unread_until_opened_claimed_or_dismissed(escalation, senior, senior2, admin_user):
    def is_read(user):
        return selectors.queue_cards(user).get(pk=escalation.pk).is_read

    assert not is_read(senior) and not is_read(senior2) and not is_read(admin_user)
    HandoffView.objects.create(user=senior, handoff=escalation)  # a row alone (e.g. hover) is not a read
    assert not is_read(senior)
    services.mark_opened(escalation, senior)
    services.dismiss(escalation, senior2)
    assert is_read(senior) and is_read(senior2) and not is_read(admin_user)


def test_start_claims_when_open_and_just_goes_when_already_mine(escalation, senior):
    assert services.start(escalation, senior).claimed_by == senior
    escalation.refresh_from_db()
    assert services.start(escalation, senior).claimed_by == senior
    assert escalation.session.activities.filter(kind=Activity.Kind.CLAIMED).count() == 1
