"""Django admin for operators: handoff list with its filters, and unread state."""

from accounts.models import User
from escalations.models import Handoff


def test_handoff_admin_lists_and_filters_across_accounts(escalation, client):
    operator = User.objects.create_superuser("ops@resolutionflow.test", "pw-ops-12345")
    client.force_login(operator)
    for query in ("", "?claimed=no", "?intent=escalate&priority=high&assessment_status=pending"):
        response = client.get(f"/admin/escalations/handoff/{query}")
        assert response.status_code == 200 and escalation.session.problem_summary in response.content.decode()
    assert client.get("/admin/escalations/handoff/?claimed=yes").context["cl"].result_count == 0
    assert client.get("/admin/escalations/handoff/?claimed=no").context["cl"].result_count == 1
    assert client.get(f"/admin/escalations/handoff/{escalation.pk}/change/").status_code == 200
    assert client.get("/admin/escalations/handoffview/").status_code == 200


def _operator(client):
    client.force_login(User.objects.create_superuser("ops@resolutionflow.test", "pw-ops-12345"))
    return client


def test_handoff_admin_shows_the_lifecycle_read_only(escalation, senior, client):
    _operator(client)
    page = client.get(f"/admin/escalations/handoff/{escalation.pk}/change/").content.decode()

    for field in ("claimed_by", "claimed_at", "withdrawn_at", "released_at", "first_action_at", "assessment_status"):
        assert f'name="{field}"' not in page
    response = client.post(
        f"/admin/escalations/handoff/{escalation.pk}/change/",
        {"priority": "urgent", "engineer_notes": "typo fixed", "claimed_by": senior.pk, "claimed_at": "2026-01-01"},
    )

    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.priority == "urgent" and escalation.engineer_notes == "typo fixed"
    assert escalation.claimed_by is None and escalation.claimed_at is None


def test_handoffs_and_unread_state_cannot_be_added_in_admin(escalation, client):
    _operator(client)
    assert client.get("/admin/escalations/handoff/add/").status_code == 403
    assert client.get("/admin/escalations/handoffview/add/").status_code == 403


def test_retry_assessment_action_goes_through_the_service(escalation, client, django_capture_on_commit_callbacks):
    Handoff.objects.filter(pk=escalation.pk).update(assessment_status=Handoff.AssessmentStatus.UNAVAILABLE)
    _operator(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/escalations/handoff/", {"action": "retry_assessment", "_selected_action": [escalation.pk]}
        )

    assert response.status_code == 302
    escalation.refresh_from_db()
    # The offline provider answers at once, through the same task the escalation queued.
    assert escalation.assessment_status == Handoff.AssessmentStatus.READY and escalation.ai_assessment
