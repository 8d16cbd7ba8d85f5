"""bench_escalate: server time of POST escalate with 20 recipients; email, AI and push leave the request.

The Redis broker is on and no worker runs, so the request only publishes its
tasks. After timing, the queued email fan-outs run here, as a worker would run
them, to check that each escalation still yields one email row per recipient.
"""

from django.test import Client
from django.utils import timezone

from accounts.models import Role
from bench.data import bench_account, make_users
from bench.harness import BenchCommand, Report, summary_ms, timed
from escalations.models import Handoff, NotificationLog
from escalations.tasks import email_fan_out
from flowpilot.models import Session

TARGET_MS = 75


class Command(BenchCommand):
    help = "Time POST /api/v1/sessions/{id}/handoffs/ (escalate) in-process with 20 email recipients."
    bench_name = "escalate"
    needs_redis = True

    def add_bench_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=200, help="escalations to time")
        parser.add_argument("--recipients", type=int, default=20, help="engineer teammates who get an email")

    def run_bench(self, report: Report, **opts) -> None:
        account = bench_account("Bench escalate")
        make_users(account, Role.ENGINEER, opts["recipients"], "senior")
        (junior,) = make_users(account, Role.ENGINEER, 1, "junior")
        client = Client()
        client.force_login(junior)
        sessions = iter(
            Session.objects.bulk_create(
                Session(account=account, owner=junior, assignee=junior, problem_summary=f"Printer queue stuck {i}")
                for i in range(opts["rounds"] + 5)
            )
        )
        for _ in range(5):  # warm up: connections, templates, the broker
            _escalate(client, next(sessions))
        times, _ = timed(lambda: _escalate(client, next(sessions)), opts["rounds"])
        stats = summary_ms(times)
        fanned_out = _run_fan_outs(account)
        emails = NotificationLog.objects.filter(account=account, channel=NotificationLog.Channel.EMAIL).count()
        expected = (opts["rounds"] + 5) * opts["recipients"]
        report.figures = {"server_time": stats, "email_rows": emails, "recipients": opts["recipients"]}
        report.row("escalations timed", stats["n"])
        report.row("server time p50 / p95 / p99", f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['p99_ms']} ms")
        report.row("email rows", f"{emails} of {expected} (fan-out of {fanned_out} escalations run after timing)")
        report.row("assessments", "queued to Celery (pending): " + _assessments(account))
        report.target("p95_ms", f"<= {TARGET_MS} ms", stats["p95_ms"], stats["p95_ms"] <= TARGET_MS)
        report.target("email_rows", "one per recipient", emails, emails == expected)


def _escalate(client: Client, session: Session) -> None:
    response = client.post(
        f"/api/v1/sessions/{session.pk}/handoffs/",
        {"intent": "escalate", "engineer_notes": "Spooler restarts, jobs still stuck.", "priority": "high"},
        content_type="application/json",
    )
    if response.status_code != 201:
        raise RuntimeError(f"escalate answered {response.status_code}: {response.content[:200]!r}")


def _run_fan_outs(account) -> int:
    """Run each escalation's email fan-out as the worker would; the sends stay queued in the broker."""
    handoffs = list(Handoff.objects.filter(account=account).values_list("pk", flat=True))
    for pk in handoffs:
        email_fan_out(str(pk))
    return len(handoffs)


def _assessments(account) -> str:
    statuses = Handoff.objects.filter(account=account).values_list("assessment_status", flat=True)
    pending = sum(1 for s in statuses if s == Handoff.AssessmentStatus.PENDING)
    return f"{pending} of {len(statuses)} still pending at {timezone.now():%H:%M:%S}"
