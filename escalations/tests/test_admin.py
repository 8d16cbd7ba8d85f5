"""Django admin for operators: handoff list with its filters, and unread state."""

from accounts.models import User


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
