from django import template
from django.core.cache import cache

from analytics.queries import escalation_report

register = template.Library()

# The card is on every queue render; a minute-old figure is fine there (the dashboard stays live).
STAT_CARD_CACHE_S = 60
STAT_CARD_PERIOD = "30d"


def stat_card_report(account_id) -> dict:
    """The card's report for one account, computed at most once a minute (shared cache: Redis in production)."""
    key = f"analytics:ttfa-stat-card:{account_id}:{STAT_CARD_PERIOD}"
    return cache.get_or_set(key, lambda: escalation_report(account_id, STAT_CARD_PERIOD), STAT_CARD_CACHE_S)


@register.inclusion_tag("analytics/_stat_card.html", takes_context=True)
def ttfa_stat_card(context) -> dict:
    """The 30-day time-to-first-action card above the queue; nothing for viewers (metrics are engineer-only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_engineer_or_admin", False):
        return {}
    report = stat_card_report(user.account_id)
    claimed, with_action = report["n_handoffs_claimed"], report["n_handoffs_with_action"]
    return {
        "report": report,
        "reached_pct": round(100 * with_action / claimed) if claimed else None,
    }


@register.filter
def duration(seconds) -> str:
    """Seconds as a short human duration: "45 s", "3 min 05 s", "1 h 02 min"; an em dash for no data."""
    if seconds is None:
        return "—"
    total = round(float(seconds))
    sign = "-" if total < 0 else ""
    total = abs(total)
    if total < 60:
        return f"{sign}{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{sign}{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours} h {minutes:02d} min"


@register.filter
def minutes(seconds) -> str:
    """Seconds as minutes with one decimal ("4.5"), an em dash for no data."""
    return "—" if seconds is None else f"{float(seconds) / 60:.1f}"
