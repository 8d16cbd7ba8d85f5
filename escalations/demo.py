"""Demo data for `seed_demo` (this app's part): open escalations and a parked session. Idempotent.

Rows are written directly with backdated timestamps (this is staged data, not a
live flow: no emails, pushes or AI calls). Sessions are found by ticket_ref.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from escalations.assessment import stored_assessment
from escalations.models import Handoff
from escalations.snapshot import build_snapshot
from flowpilot.ai.offline import OfflineProvider
from flowpilot.models import Activity, Session, Step


@dataclass(frozen=True)
class DemoHandoff:
    ticket: str
    by: str  # user key from accounts.demo
    intent: str
    priority: str
    minutes_ago: int
    summary: str
    domain: str
    client: str
    notes: str
    question: str
    # (title, status, result_note, output, dead_end, command)
    steps: list[tuple] = field(default_factory=list)


NORTHWIND = [
    DemoHandoff(
        "DEMO-E-101",
        "junior1",
        Handoff.Intent.ESCALATE,
        "urgent",
        6,
        "VPN drops every 10 minutes for the whole Leeds office",
        "networking",
        "Leeds Dental Group",
        "Tunnel re-keys and drops exactly every 10 min. Rebooted the firewall, no change. Clinic can't book patients.",
        "The site-to-site VPN to Leeds drops every ten minutes, what should I check?",
        [
            ("Check the firewall uptime and VPN logs", "done", "IKE phase 2 rekey fails at 600 s", "", False, ""),
            ("Reboot the Leeds firewall", "failed", "Drops resumed 10 minutes after boot", "", True, ""),
            ("Compare phase 2 lifetimes on both ends", "proposed", "", "", False, ""),
        ],
    ),
    DemoHandoff(
        "DEMO-E-102",
        "junior2",
        Handoff.Intent.ESCALATE,
        "high",
        14,
        "New starter's account keeps locking out every few minutes",
        "identity",
        "Harbor Logistics",
        "Unlocked three times; lockout source is a DC, not a device I recognise.",
        "AD account locks out repeatedly right after unlocking.",
        [
            (
                "Find the lockout source with the PDC emulator",
                "done",
                "Source: NW-DC02, caller computer blank",
                "Get-ADUser jdoe -Properties LockedOut,BadLogonCount\nLockedOut : True\nBadLogonCount : 14",
                False,
                "Get-ADUser jdoe -Properties LockedOut,BadLogonCount",
            ),
            ("Clear saved credentials on the user's laptop", "done", "Nothing stored", "", False, ""),
            ("Reset the password again", "failed", "Locked out again within 4 minutes", "", True, ""),
        ],
    ),
    DemoHandoff(
        "DEMO-E-103",
        "junior1",
        Handoff.Intent.ESCALATE,
        "normal",
        27,
        "Finance shared mailbox no longer shows up in Outlook",
        "email",
        "Brightwater Accounting",
        "Full Access is granted in EAC; OWA shows it, desktop Outlook doesn't.",
        "Shared mailbox missing from Outlook desktop but works in OWA.",
        [
            ("Confirm Full Access permission in Exchange admin", "done", "Granted, AutoMapping true", "", False, ""),
            ("Open the mailbox in Outlook on the web", "done", "Works in OWA", "", False, ""),
            ("Recreate the Outlook profile", "failed", "Still missing after rebuild", "", True, ""),
        ],
    ),
    DemoHandoff(
        "DEMO-E-104",
        "junior2",
        Handoff.Intent.PARK,
        "low",
        55,
        "Warehouse label printer prints blank labels",
        "printing",
        "Harbor Logistics",
        "Waiting for the site to load a fresh roll and send a photo of the test print.",
        "Zebra label printer prints blank labels after a ribbon change.",
        [("Print a configuration label", "done", "Config label is blank too", "", False, "")],
    ),
]


def _session(account, user, spec: DemoHandoff, at) -> Session:
    session = Session.objects.create(
        account=account,
        owner=user,
        assignee=user,
        problem_summary=spec.summary,
        problem_domain=spec.domain,
        client_name=spec.client,
        ticket_ref=spec.ticket,
        created_at=at,
    )
    Activity.objects.create(session=session, account=account, actor=user, kind="opened", created_at=at)
    Activity.objects.create(
        session=session, account=account, actor=user, kind="message", payload={"text": spec.question}, created_at=at
    )
    for order, (title, status, note, output, dead_end, command) in enumerate(spec.steps, start=1):
        Step.objects.create(
            session=session,
            account=account,
            order=order,
            title=title,
            source=Step.Source.AI,
            status=status,
            result_note=note,
            output=output,
            is_dead_end=dead_end,
            command=command,
            created_by=user,
            created_at=at + timedelta(minutes=order * 3),
        )
    return session


def _seed_one(account, users: dict, spec: DemoHandoff) -> None:
    if Session.objects.filter(account=account, ticket_ref=spec.ticket).exists():
        return
    user = users[spec.by]
    escalated_at = timezone.now() - timedelta(minutes=spec.minutes_ago)
    session = _session(account, user, spec, escalated_at - timedelta(minutes=20))
    snapshot = build_snapshot(session, spec.notes)
    is_escalation = spec.intent == Handoff.Intent.ESCALATE
    handoff = Handoff.objects.create(
        session=session,
        account=account,
        handed_off_by=user,
        intent=spec.intent,
        engineer_notes=spec.notes,
        priority=spec.priority,
        snapshot=snapshot,
        created_at=escalated_at,
        assessment_status=Handoff.AssessmentStatus.READY if is_escalation else Handoff.AssessmentStatus.UNAVAILABLE,
        ai_assessment=stored_assessment(OfflineProvider().assess(snapshot, timeout=5), snapshot)
        if is_escalation
        else None,
    )
    Session.objects.filter(pk=session.pk).update(
        status=Session.Status.ESCALATED if is_escalation else Session.Status.PARKED, assignee=None
    )
    Activity.objects.create(
        session=session,
        account=account,
        actor=user,
        kind=Activity.Kind.ESCALATED if is_escalation else Activity.Kind.PARKED,
        payload={"handoff_id": str(handoff.pk), "priority": spec.priority, "notes": spec.notes},
        created_at=escalated_at,
    )


def seed(demo: dict) -> None:
    """`demo` maps "northwind"/"contoso" to (account, users-by-key) from accounts.demo."""
    account, users = demo["northwind"]
    for spec in NORTHWIND:
        _seed_one(account, users, spec)
