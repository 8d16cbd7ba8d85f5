"""Owner dashboard, CSV export and baseline entry pages (engineer-or-admin only)."""

import csv
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import get_for_account, role_required, scoped
from analytics import ai_usage, breakdowns, queries, services
from analytics.charts import trend_chart
from analytics.forms import BaselineEntryForm
from analytics.models import BaselineEntry
from analytics.period_figures import period_figures
from resolutionflow.domain import DomainError, InvalidOperation, RoleRequired
from resolutionflow.htmx import toast

DASHBOARD = "analytics/dashboard.html"


def _period_error(request, exc: InvalidOperation) -> HttpResponse:
    response = render(request, "analytics/period_error.html", {"message": exc.message}, status=400)
    return toast(response, exc.message, "error")


def _figures(account_id, period: str, now: datetime | None = None) -> dict:
    """Everything the dashboard shows for one period (bench_metrics times this whole report)."""
    weeks = breakdowns.weekly_trend(account_id, now)
    return {
        "period": period,
        "periods": list(queries.PERIODS),
        **period_figures(account_id, period, now),  # "report", "per_tech", "per_domain"
        "weeks": weeks,
        "chart": trend_chart(weeks),
        "ai_calls": ai_usage.ai_calls_per_model(account_id, period),
    }


def _dashboard_context(request, period: str, form: BaselineEntryForm | None = None) -> dict:
    entries = scoped(BaselineEntry, request.user).select_related("recorded_by")[:100]
    return {
        **_figures(request.user.account_id, period),
        "baseline_entries": entries,
        "baseline_form": form or BaselineEntryForm(),
        "can_delete_any": request.user.is_admin_or_owner,
    }


@require_GET
@role_required()
def dashboard(request):
    try:
        period = queries.parse_period(request.GET.get("period"))
    except InvalidOperation as exc:
        return _period_error(request, exc)
    if request.htmx:
        # The period selector swaps only the figures.
        return render(request, DASHBOARD + "#figures", _figures(request.user.account_id, period))
    return render(request, DASHBOARD, _dashboard_context(request, period))


@require_GET
@role_required()
def export_csv(request):
    try:
        period = queries.parse_period(request.GET.get("period"))
    except InvalidOperation as exc:
        return _period_error(request, exc)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    if request.GET.get("rows") == "summary":
        # One row of the section 6 figures under the original system's names (SPEC section 6).
        response["Content-Disposition"] = f'attachment; filename="escalation-metrics-{period}-summary.csv"'
        report = queries.escalation_report(request.user.account_id, period)
        writer.writerow(breakdowns.SUMMARY_COLUMNS)
        writer.writerow(["" if report[key] is None else report[key] for key in breakdowns.SUMMARY_COLUMNS])
        return response
    response["Content-Disposition"] = f'attachment; filename="escalation-metrics-{period}.csv"'
    writer.writerow(breakdowns.EXPORT_COLUMNS)
    for row in breakdowns.export_rows(request.user.account_id, period):
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def csv_safe(cell):
    """Names are user text: keep spreadsheets from running them as formulas."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


# Where a baseline form may send the user back to (a fixed list: never a URL from the request).
RETURN_TO = {"time-saved": "analytics:time-saved"}


@require_http_methods(["GET", "POST"])
@role_required()
def baseline_create(request):
    """POST records an entry and redirects; a GET (a reload after an error) goes back to the form."""
    if request.method == "GET":
        return redirect(reverse("analytics:dashboard") + "#baseline-heading")
    form = BaselineEntryForm(request.POST)
    if form.is_valid():
        try:
            services.record_baseline_entry(request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Baseline entry recorded.")
            return redirect(RETURN_TO.get(request.POST.get("return_to"), "analytics:dashboard"))
    return render(request, DASHBOARD, _dashboard_context(request, queries.DEFAULT_PERIOD, form), status=400)


@require_POST
@role_required()
def baseline_delete(request, entry_id):
    entry = get_for_account(BaselineEntry, request.user, pk=entry_id)
    try:
        services.delete_baseline_entry(request.user, entry)
    except RoleRequired as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, "Baseline entry deleted.")
    return redirect("analytics:dashboard")
