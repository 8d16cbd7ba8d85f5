"""Demo part of maintenance: a monthly patch-check schedule over eight Northwind targets and a half-finished run."""

from datetime import timedelta

from django.utils import timezone

from flows import services as flow_services
from flows.models import Flow
from maintenance import services
from maintenance.models import Run, RunItem, Schedule

PATCH_CHECK = {
    "schema_version": 1,
    "start": "updates",
    "nodes": [
        {
            "key": "updates",
            "type": "action",
            "text": "Check Windows Update history for failed installs",
            "next": "reboot",
        },
        {"key": "reboot", "type": "action", "text": "Confirm no reboot is pending", "next": "av"},
        {"key": "av", "type": "action", "text": "Antivirus definitions are less than 24 h old", "next": "backup"},
        {"key": "backup", "type": "action", "text": "Last night's backup job succeeded", "next": "disk"},
        {"key": "disk", "type": "action", "text": "System drive has more than 15 % free", "next": "done"},
        {"key": "done", "type": "outcome", "text": "Patched and healthy", "outcome": "resolved"},
    ],
}
TARGETS = [
    {"name": "FAB-DC01", "client_name": "Fabrikam Dental", "ticket_ref": "48211"},
    {"name": "FAB-FS01", "client_name": "Fabrikam Dental", "ticket_ref": "48211"},
    {"name": "WWI-SQL01", "client_name": "Wide World Importers", "ticket_ref": "48212"},
    {"name": "WWI-APP02", "client_name": "Wide World Importers", "ticket_ref": "48212"},
    {"name": "TAIL-RDS01", "client_name": "Tailspin Toys", "ticket_ref": "48213"},
    {"name": "TAIL-HV01", "client_name": "Tailspin Toys", "ticket_ref": "48213"},
    {"name": "ADV-WEB01", "client_name": "Adventure Works", "ticket_ref": "48214"},
    {"name": "ADV-DC02", "client_name": "Adventure Works", "ticket_ref": "48214"},
]
TITLE = "Monthly patch check"


def seed(demo: dict) -> None:
    """`demo` maps "northwind" to (account, users-by-key) from accounts.demo; idempotent."""
    account, users = demo["northwind"]
    flow = Flow.objects.filter(account=account, title=TITLE, kind=Flow.Kind.PROCEDURE).first()
    if flow is None:
        flow = flow_services.create_flow(
            users["senior1"], title=TITLE, kind=Flow.Kind.PROCEDURE, problem_domain="other",
            tags=["maintenance", "patching"], graph=PATCH_CHECK,
        )  # fmt: skip
        flow_services.publish(flow, users["owner"])
    if Schedule.objects.filter(account=account, flow=flow).exists():
        return
    now = timezone.now()
    services.create_schedule(
        users["senior1"], flow_id=flow.pk, targets=TARGETS, recurrence="monthly",
        assignee=users["junior1"], next_due_at=now + timedelta(days=27),
    )  # fmt: skip
    run = services.create_run(
        users["senior1"], flow_id=flow.pk, title=f"{TITLE} — {timezone.localdate():%B %Y}", targets=TARGETS,
        assignee=users["junior1"], due_at=now + timedelta(days=2),
    )  # fmt: skip
    _half_finish(run, users)


def _half_finish(run: Run, users: dict) -> None:
    """The first four targets done by Jamie, one failed backup check among them."""
    items = RunItem.objects.filter(run=run, target__position__lt=4).select_related("target")
    for item in items:
        failed = item.target.name == "WWI-SQL01" and item.node_key == "backup"
        services.set_item(
            item, users["junior1"], status=RunItem.Status.FAILED if failed else RunItem.Status.DONE,
            result_note="Job 'Nightly SQL' failed: VSS writer timeout; re-run scheduled" if failed else "",
        )  # fmt: skip
