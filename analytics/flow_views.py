"""`/analytics/flows/`: how the flows perform, how much of the work they cover, and where know-how is missing."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import role_required
from analytics import flow_metrics, queries
from analytics.views import _period_error
from resolutionflow.domain import InvalidOperation


@require_GET
@role_required()
def page(request):
    try:
        period = queries.parse_period(request.GET.get("period"))
    except InvalidOperation as exc:
        return _period_error(request, exc)
    context = {
        "period": period,
        "periods": list(queries.PERIODS),
        "report": flow_metrics.flow_report(request.user.account_id, period),
    }
    return render(request, "analytics/flows.html", context)
