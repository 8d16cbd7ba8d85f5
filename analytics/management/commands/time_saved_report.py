import json

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import account_by_code
from accounts.models import Account
from analytics.time_saved import parse_month, time_saved_report
from resolutionflow.domain import InvalidOperation

STATUS_TEXT = {
    "measure_this": "no number: measure this (no stopwatch baseline yet)",
    "no_flows": "no number: no flows yet",
    "no_comparison": "no number: no domain with sessions both with and without a flow",
}


def _hours(value) -> str:
    return "-" if value is None else f"{value:.2f} h"


class Command(BaseCommand):
    help = "Print one account's hours saved by source for a month (the figures of /analytics/time-saved/)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account code, e.g. NORTHWIND")
        parser.add_argument("--month", default="", help="YYYY-MM (default: the current month)")
        parser.add_argument("--json", action="store_true", help="Print the API's JSON instead of a table")

    def handle(self, *args, **opts):
        account = account_by_code(opts["account"])
        try:
            month = parse_month(opts["month"])
        except InvalidOperation as exc:
            raise CommandError(exc.message) from exc
        report = time_saved_report(account.pk, month)
        if opts["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self._table(account, report)

    def _table(self, account: Account, report: dict) -> None:
        out = self.stdout.write
        out(f"{account.name} ({account.code}), {report['period']}")
        out(f"  hours saved              {_hours(report['hours_saved'])}")
        out(
            f"  per senior per week      {_hours(report['hours_saved_per_senior_per_week'])} "
            f"({report['n_seniors']} credited, {report['weeks']} weeks)"
        )
        for source in report["sources"]:
            hours = source["hours_saved"]
            figure = _hours(hours) if hours is not None else STATUS_TEXT[source["status"]]
            out(f"  {source['label']:24} {figure}")
            inputs = ", ".join(f"{k}={v}" for k, v in source["inputs"].items() if k != "domains")
            out(f"    inputs: {inputs}")
        out("")
        out(report["method"])
