"""AI calls per model on the owner dashboard: counted in the database, per account, over the period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.ai_usage import ai_calls_per_model
from escalations import services as escalations
from escalations.models import Handoff
from flowpilot import activity
from flowpilot import services as sessions
from flowpilot.ai.offline import OfflineProvider
from flowpilot.models import Activity

pytestmark = pytest.mark.django_db


def _reply(session, model: str, **extra):
    return activity.record(session, None, Activity.Kind.AI_REPLY, text="x", model=model, **extra)


def test_calls_are_counted_per_model_with_retries_assessments_and_failures(engineer, outsider):
    session = sessions.open_session(engineer, problem_summary="VPN drops")
    _reply(session, "claude-fast")
    _reply(session, "claude-fast")
    _reply(session, "claude-deep", escalated_from="claude-fast")
    activity.record(session, None, Activity.Kind.AI_ERROR, message="busy", model="claude-fast")
    old = _reply(session, "claude-fast")
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    handoff = escalations.escalate(session, engineer, engineer_notes="stuck")
    Handoff.objects.filter(pk=handoff.pk).update(
        assessment_status=Handoff.AssessmentStatus.READY, ai_assessment={"model": "claude-deep"}
    )
    _reply(sessions.open_session(outsider, problem_summary="other account"), "claude-fast")

    rows = {r["model"]: r for r in ai_calls_per_model(engineer.account_id, "30d")}

    assert rows["claude-fast"] == {
        "model": "claude-fast",
        "answers": 2,
        "failed": 1,
        "escalated": 0,
        "assessments": 0,
        "total": 3,
    }
    assert rows["claude-deep"] == {
        "model": "claude-deep",
        "answers": 1,
        "failed": 0,
        "escalated": 1,
        "assessments": 1,
        "total": 3,
    }


def test_offline_answers_and_old_rows_without_a_model(engineer):
    session = sessions.open_session(engineer, problem_summary="Printer jams")
    sessions.ask_copilot(session, engineer, "What now?", provider=OfflineProvider())
    activity.record(session, None, Activity.Kind.AI_REPLY, text="before routing")
    models = {r["model"]: r["answers"] for r in ai_calls_per_model(engineer.account_id, "7d")}
    assert models == {"offline-rules-v1": 1, "unknown": 1}


def test_the_dashboard_shows_the_panel_to_the_owner_and_refuses_a_viewer(client_for, owner, viewer, engineer):
    session = sessions.open_session(engineer, problem_summary="Printer jams")
    _reply(session, "claude-fast")
    html = client_for(owner).get("/analytics/escalations/?period=7d").content.decode()
    assert 'data-testid="ai-calls-table"' in html and "claude-fast" in html
    assert client_for(viewer).get("/analytics/escalations/").status_code == 403
