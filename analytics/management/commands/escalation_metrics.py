import json

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import account_by_code
from accounts.models import Account
from analytics import queries
from analytics.period_figures import report_with_breakdowns
from resolutionflow.domain import InvalidOperation


def _fmt(seconds) -> str:
    return "-" if seconds is None else f"{seconds:.0f} s"


def _minutes(value) -> str:
    return "-" if value is None else f"{value:.1f} min"


class Command(BaseCommand):
    help = "Print time to first action and time to claim for one account (SPEC section 6)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account code, e.g. NORTHWIND")
        parser.add_argument("--period", default=queries.DEFAULT_PERIOD, help="7d, 30d or 90d (default 30d)")
        parser.add_argument("--json", action="store_true", help="Print the API's JSON instead of a table")

    def handle(self, *args, **opts):
        account = account_by_code(opts["account"])
        try:
            period = queries.parse_period(opts["period"])
        except InvalidOperation as exc:
            raise CommandError(exc.message) from exc
        report = report_with_breakdowns(account.pk, period)
        if opts["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self._table(account, report)

    def _table(self, account: Account, report: dict) -> None:
        out = self.stdout.write
        out(f"{account.name} ({account.code}), last {report['period']}")
        out(f"  claimed escalations      {report['n_handoffs_claimed']}")
        out(f"  with a first action      {report['n_handoffs_with_action']}")
        out(f"  {'':24} {'avg':>8} {'median':>8} {'p95':>8}")
        for label, key in (("time to first action", "ttfa"), ("time to claim", "time_to_claim")):
            figures = [_fmt(report[f"{key}_{stat}_s"]) for stat in ("avg", "median", "p95")]
            out(f"  {label:24} {figures[0]:>8} {figures[1]:>8} {figures[2]:>8}")
        baseline, savings = report["baseline"], report["savings"]
        if baseline:
            out(f"  manual baseline          {_fmt(baseline['avg_s'])} average over {baseline['n_entries']} entries")
        if savings:
            out(
                f"  savings                  {_minutes(savings['minutes_recovered_per_escalation'])} per escalation "
                f"(baseline {_fmt(savings['baseline_avg_s'])} - in-product {_fmt(savings['in_product_avg_s'])}), "
                f"{savings['hours_saved_this_month']:.2f} hrs this calendar month"
            )
        else:
            out("  savings                  - (needs both a manual baseline and in-product actions)")
        if report["per_tech"]:
            out("  by claimer:")
            for row in report["per_tech"]:
                out(
                    f"    {row['name']:22} {row['n_with_action']:>3}/{row['n_claimed']:<3} "
                    f"avg {_fmt(row['ttfa_avg_s']):>7}  median {_fmt(row['ttfa_median_s']):>7}"
                )
        out("")
        out(report["metric_definition"])
