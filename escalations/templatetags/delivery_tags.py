"""`{% delivery_rows handoff as rows %}`: the delivery log of one handoff for its panel."""

from django import template

from escalations.models import NotificationLog

register = template.Library()

STATUS_BADGES = {
    NotificationLog.Status.QUEUED: "badge-normal",
    NotificationLog.Status.SENT: "badge-done",
    NotificationLog.Status.FAILED: "badge-failed",
    NotificationLog.Status.SUPPRESSED: "badge-skipped",
}


@register.simple_tag
def delivery_rows(handoff) -> list:
    """Push row first, then emails by purpose and recipient; one query."""
    rows = list(
        NotificationLog.objects.filter(handoff_id=handoff.pk, account_id=handoff.account_id)
        .select_related("recipient")
        .order_by("-channel", "purpose", "recipient__name", "recipient__email")
    )
    for row in rows:
        row.badge_class = STATUS_BADGES.get(row.status, "badge-normal")
    return rows
