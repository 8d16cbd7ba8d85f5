"""Demo data for `seed_demo` (this app's part): open escalations and a parked session. Idempotent.

Written through the services, as a tech would (open, ask, record steps, escalate or
park), then back-dated so the queue shows realistic ages. The escalations' side
effects run after the seed commits, as for any escalation: the live push, the
teammates' emails (seed_demo keeps them in an in-memory outbox) and the AI assessment
(the offline provider unless an Anthropic key is set). Sessions are found by ticket_ref.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from escalations import services
from escalations.models import Handoff
from flowpilot import services as flowpilot_services
from flowpilot.ai.offline import OfflineProvider
from flowpilot.models import Activity, Session, Step

# How long the junior worked before handing off.
WORKED_MINUTES = 20


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


def _work(user, spec: DemoHandoff) -> Session:
    session = flowpilot_services.open_session(
        user, problem_summary=spec.summary, problem_domain=spec.domain, client_name=spec.client, ticket_ref=spec.ticket
    )
    flowpilot_services.ask_copilot(session, user, spec.question, provider=OfflineProvider())
    for title, status, note, output, dead_end, command in spec.steps:
        flowpilot_services.add_step(
            session,
            user,
            title=title,
            command=command,
            status=status,
            result_note=note,
            output=output,
            is_dead_end=dead_end,
        )
    return session


def _backdate(session: Session, handoff: Handoff, escalated_at) -> None:
    """The work spread over the WORKED_MINUTES before `escalated_at`; the handoff at `escalated_at`."""
    start = escalated_at - timedelta(minutes=WORKED_MINUTES)
    activities = list(session.activities.order_by("created_at", "id"))
    gap = timedelta(minutes=WORKED_MINUTES) / max(1, len(activities) - 1)
    for n, activity in enumerate(activities):
        at = escalated_at if n == len(activities) - 1 else min(start + gap * n, escalated_at)
        Activity.objects.filter(pk=activity.pk).update(created_at=at)
    for n, step in enumerate(session.steps.order_by("order"), start=1):
        Step.objects.filter(pk=step.pk).update(created_at=min(start + gap * n, escalated_at))
    Session.objects.filter(pk=session.pk).update(created_at=start, updated_at=escalated_at)
    Handoff.objects.filter(pk=handoff.pk).update(created_at=escalated_at)


def _seed_one(account, users: dict, spec: DemoHandoff) -> None:
    if Session.objects.filter(account=account, ticket_ref=spec.ticket).exists():
        return
    user = users[spec.by]
    session = _work(user, spec)
    hand_off = services.escalate if spec.intent == Handoff.Intent.ESCALATE else services.park
    handoff = hand_off(session, user, spec.notes, spec.priority)
    _backdate(session, handoff, timezone.now() - timedelta(minutes=spec.minutes_ago))


def seed(demo: dict) -> None:
    """`demo` maps "northwind"/"contoso" to (account, users-by-key) from accounts.demo."""
    account, users = demo["northwind"]
    for spec in NORTHWIND:
        _seed_one(account, users, spec)
