"""`/analytics/time-saved/`: the owner's monthly number by source, its CSV and the monthly email opt-out.

Owners and admins see the account; engineers see their own contribution; viewers get a 403."""

import csv
from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import require_role, role_required
from accounts.models import ADMIN_OR_OWNER
from analytics import emails
from analytics.charts import time_saved_chart
from analytics.forms import BaselineEntryForm
from analytics.models import BaselineEntry
from analytics.time_saved import LABELS, TREND_WEEKS, month_before, parse_month, scope_user_id, time_saved_report
from analytics.views import csv_safe
from resolutionflow.domain import InvalidOperation

PAGE = "analytics/time_saved.html"
MONTHS_OFFERED = 12


def _report_or_400(request) -> tuple[date, dict] | HttpResponse:
    """The month asked for and its report in the member's scope, or the 400 page for a bad `period`."""
    try:
        month = parse_month(request.GET.get("period"))
    except InvalidOperation as exc:
        return render(request, "analytics/time_saved_period_error.html", {"message": exc.message}, status=400)
    user = request.user
    return month, time_saved_report(user.account_id, month, user_id=scope_user_id(user))


def _recent_months() -> list[date]:
    months = [parse_month(None)]
    while len(months) < MONTHS_OFFERED:
        months.append(month_before(months[-1]))
    return months


@require_GET
@role_required()
def page(request):
    found = _report_or_400(request)
    if isinstance(found, HttpResponse):
        return found
    month, report = found
    user = request.user
    forms = {
        kind: BaselineEntryForm(initial={"kind": kind}, auto_id=f"id_{kind}_%s")
        for kind in (BaselineEntry.Kind.ESCALATION, BaselineEntry.Kind.TICKET_NOTES)
    }
    context = {
        "report": report,
        "month": month,
        "months": _recent_months(),
        "chart": time_saved_chart(report["trend"]),
        "labels": LABELS,
        "trend_weeks": TREND_WEEKS,
        "measure_forms": forms,
    }
    if user.is_admin_or_owner:
        context["email_on"] = emails.wants_monthly_report(user)
        context["deliveries"] = emails.recent_deliveries(user.account_id)
    return render(request, PAGE, context)


EXPORT_COLUMNS = ["row", "period", "source", "hours_saved", "status", "inputs", "method"]


def export_rows(report: dict):
    """The report as CSV rows: one per source for the month, the month's total, then one per trend week."""
    for source in report["sources"]:
        inputs = "; ".join(f"{key}={value}" for key, value in source["inputs"].items() if key != "domains")
        for domain in source["inputs"].get("domains", []):
            inputs += f"; {domain['domain']}: " + ", ".join(f"{k}={v}" for k, v in domain.items() if k != "domain")
        yield [
            "source",
            report["period"],
            source["key"],
            source["hours_saved"],
            source["status"],
            inputs,
            source["method"],
        ]
    totals = f"n_seniors={report['n_seniors']}; weeks={report['weeks']}"
    yield ["total", report["period"], "all", report["hours_saved"], "", totals, report["method"]]
    yield ["per_senior_per_week", report["period"], "all", report["hours_saved_per_senior_per_week"], "", totals, ""]
    for week in report["trend"]:
        for key in LABELS:
            yield ["week", week["week_start"], key, week[key], "", "", ""]


@require_GET
@role_required()
def export_csv(request):
    found = _report_or_400(request)
    if isinstance(found, HttpResponse):
        return found
    _, report = found
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="time-saved-{report["period"]}-{report["scope"]}.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(report):
        writer.writerow(["" if cell is None else csv_safe(cell) for cell in row])
    return response


@require_POST
@role_required()
def email_preference(request):
    """Turn the monthly time-saved email on or off for oneself (owners and admins receive it)."""
    require_role(request.user, ADMIN_OR_OWNER)
    on = request.POST.get("monthly_time_saved") == "on"
    emails.set_monthly_report(request.user, on)
    messages.success(request, "Monthly time-saved email " + ("on." if on else "off."))
    return redirect("analytics:time-saved")
