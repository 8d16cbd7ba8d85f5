"""AI calls per model over the period, counted in the database.

Copilot and assistant-to-session answers are Activity rows (`ai_reply`, `ai_error`) whose
payload names the model (flowpilot.services.save_ai_reply); escalation assessments keep
theirs in `Handoff.ai_assessment["model"]`. Rows before model routing have no model: "unknown".
"""

from datetime import datetime

from django.db.models import Count, Q, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf

from analytics.queries import window_start
from escalations.models import Handoff
from flowpilot.models import Activity

UNKNOWN = "unknown"


def _model(json_field: str):
    text = TextField()
    named = NullIf(KeyTextTransform("model", json_field), Value("", output_field=text), output_field=text)
    return Coalesce(named, Value(UNKNOWN, output_field=text), output_field=text)


def ai_calls_per_model(account_id, period: str, now: datetime | None = None) -> list[dict]:
    """[{model, answers, failed, escalated, assessments, total}], busiest model first."""
    since = window_start(period, now)
    activity_rows = (
        Activity.objects.filter(
            account_id=account_id, created_at__gte=since, kind__in=[Activity.Kind.AI_REPLY, Activity.Kind.AI_ERROR]
        )
        .annotate(model=_model("payload"))
        .values("model")
        .annotate(
            answers=Count("pk", filter=Q(kind=Activity.Kind.AI_REPLY)),
            failed=Count("pk", filter=Q(kind=Activity.Kind.AI_ERROR)),
            escalated=Count("pk", filter=Q(payload__has_key="escalated_from")),
        )
        .order_by()
    )
    assessment_rows = (
        Handoff.objects.filter(
            account_id=account_id, created_at__gte=since, assessment_status=Handoff.AssessmentStatus.READY
        )
        .annotate(model=_model("ai_assessment"))
        .values("model")
        .annotate(assessments=Count("pk"))
        .order_by()
    )
    rows: dict[str, dict] = {}
    for row in [*activity_rows, *assessment_rows]:
        merged = rows.setdefault(
            row["model"], {"model": row["model"], "answers": 0, "failed": 0, "escalated": 0, "assessments": 0}
        )
        for key, value in row.items():
            if key != "model":
                merged[key] += value
    for row in rows.values():
        # A low-confidence answer re-asked on the deep model was two calls: the fast one and the deep one.
        row["total"] = row["answers"] + row["failed"] + row["escalated"] + row["assessments"]
    return sorted(rows.values(), key=lambda r: (-r["total"], r["model"]))
