from django import template

register = template.Library()


@register.inclusion_tag("analytics/_stat_card.html", takes_context=True)
def ttfa_stat_card(context):
    """The time-to-first-action stat-card shown above the queue (analytics work fills it)."""
    return {"request": context.get("request")}
