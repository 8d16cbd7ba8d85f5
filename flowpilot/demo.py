"""Demo data for `seed_demo` (this app's part): worked sessions across domains. Idempotent.

Sessions go through the real services (open, ask the rule-based copilot, record
results, notes, resolve) and are then backdated. Each is found again by its
ticket ref ("DEMO-S-###"), so running the seed twice changes nothing.
Escalated and parked sessions come from escalations.demo.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from flowpilot import search, services
from flowpilot.ai.offline import OfflineProvider
from flowpilot.models import Session, Step

DONE, FAILED, SKIPPED = Step.Status.DONE, Step.Status.FAILED, Step.Status.SKIPPED


@dataclass(frozen=True)
class DemoSession:
    ticket: str
    user: str  # key in accounts.demo
    summary: str
    domain: str
    client: str
    hours_ago: float
    # Results for the copilot's first steps, in order: (status, note, output, dead_end).
    results: list[tuple] = field(default_factory=list)
    follow_up: str = ""
    notes: list[str] = field(default_factory=list)
    resolution: str = ""


NORTHWIND = [
    DemoSession(
        "DEMO-S-201",
        "junior1",
        "Outlook keeps prompting for a password",
        "email",
        "Fabrikam Dental",
        3,
        [
            (
                DONE,
                "Web sign-in works, account enabled",
                "AccountEnabled : True\nLastPasswordChangeDateTime : 2026-11-02",
                False,
            ),
            (
                DONE,
                "Removed 3 stale Office entries",
                "Target: MicrosoftOffice16_Data:SSPI:jchen\nPassword: Summer2026!",
                False,
            ),
            (FAILED, "Already enabled for the tenant", "OAuth2ClientProfileEnabled : True", True),
        ],
        follow_up="Still prompting after clearing credentials. What next?",
        notes=["User says it started after the Windows update on Monday."],
    ),
    DemoSession(
        "DEMO-S-202",
        "junior2",
        "Remote user's VPN disconnects every few minutes",
        "networking",
        "Harbor Logistics",
        26,
        [
            (DONE, "Gateway reachable", "TcpTestSucceeded : True", False),
            (DONE, "Log shows DPD timeout before each drop", "", False),
            (SKIPPED, "Account is fine", "", False),
            (DONE, "Home router uses 10.0.0.0/24, same as office", "10.0.0.0  255.255.255.0  On-link", False),
        ],
        notes=["Asked the user to change the home router's LAN range."],
        resolution="Home LAN overlapped the office subnet; moved the user's router to 192.168.50.0/24.",
    ),
    DemoSession(
        "DEMO-S-203",
        "junior1",
        "Finance user account keeps getting locked out",
        "identity",
        "Birch & Co Law",
        50,
        [
            (
                DONE,
                "Caller computer: FIN-LAPTOP-07",
                "TargetUserName : mpatel\nCallerComputerName : FIN-LAPTOP-07",
                False,
            ),
            (DONE, "All bad attempts on DC01", "", False),
            (
                DONE,
                "Old iPhone still syncing with the old password",
                "DeviceModel : iPhone12\nLastSuccessSync : 2026-10-01",
                False,
            ),
        ],
        resolution="Removed the stale mail profile from the user's old iPhone; no lockouts since.",
    ),
    DemoSession(
        "DEMO-S-204",
        "junior2",
        "Internal DNS names do not resolve on new laptops",
        "networking",
        "Lakeside Clinic",
        5,
        [
            (DONE, "Laptops get 8.8.8.8 as DNS", "DNS Servers . . . : 8.8.8.8", False),
            (DONE, "Internal server answers correctly", "Name: intranet.lakeside.local\nAddress: 10.1.0.20", False),
        ],
    ),
    DemoSession(
        "DEMO-S-205",
        "junior1",
        "External emails not arriving, senders get an NDR",
        "email",
        "Summit Engineering",
        74,
        [
            (DONE, "Trace shows FilteredAsSpam", "Status : FilteredAsSpam", False),
            (DONE, "Released 14 messages", "", False),
        ],
        resolution="Anti-spam flagged the supplier's new domain; allow-listed it and released the quarantine.",
    ),
    DemoSession(
        "DEMO-S-206",
        "senior2",
        "New phone: Authenticator MFA codes rejected",
        "identity",
        "Redwood Realty",
        30,
        [
            (DONE, "Sign-in log: MFA denied, invalid code", "", False),
            (DONE, "Only the old phone is registered", "", False),
            (FAILED, "Phone clock is fine", "", True),
        ],
        resolution="Issued a Temporary Access Pass; user registered Authenticator on the new phone.",
    ),
    DemoSession(
        "DEMO-S-207",
        "junior2",
        "Printer on 2nd floor shows offline, print queue stuck",
        "printing",
        "Harbor Logistics",
        1,
        [(DONE, "Port points to 10.0.5.40, printer now at 10.0.5.41", "PrinterHostAddress : 10.0.5.40", False)],
    ),
    DemoSession(
        "DEMO-S-208",
        "junior1",
        "C: drive is full on the file server",
        "server",
        "Summit Engineering",
        98,
        [
            (DONE, "C: at 2% free", "DriveLetter SizeRemaining Size\nC 1.9 GB 120 GB", False),
            (DONE, "C:\\inetpub\\logs is 61 GB", "", False),
        ],
        notes=["IIS logging was never rotated on this box."],
        resolution="Archived 60 GB of IIS logs and enabled a 30-day log cleanup task.",
    ),
    DemoSession(
        "DEMO-S-209",
        "senior1",
        "Browser says the intranet certificate expired",
        "security",
        "Lakeside Clinic",
        8,
        [(DONE, "notAfter=Nov 20 2026", "notAfter=Nov 20 23:59:59 2026 GMT", False)],
        resolution="Renewed the certificate and rebound it in IIS.",
    ),
    DemoSession(
        "DEMO-S-210",
        "junior2",
        "Laptop Wi-Fi keeps disconnecting in the meeting room",
        "networking",
        "Redwood Realty",
        2,
        [
            (DONE, "Reason: roaming failure around 10:14", "", False),
            (DONE, "Signal 38%", "Signal : 38%", False),
        ],
        follow_up="Signal is weak only in that room. Anything else before I ask about an extra AP?",
    ),
    DemoSession(
        "DEMO-S-211",
        "junior1",
        "Nightly Veeam backup job failed for SQL01",
        "server",
        "Birch & Co Law",
        20,
        [
            (DONE, "Error: VSS writer SqlServerWriter failed", "", False),
            (DONE, "SqlServerWriter in failed state", "Writer name: 'SqlServerWriter'\n   State: [8] Failed", False),
        ],
        resolution="Restarted the SQL VSS Writer service and re-ran the job; completed with Success.",
    ),
    DemoSession(
        "DEMO-S-212",
        "junior2",
        "Shared mailbox not showing in Outlook for new hire",
        "email",
        "Fabrikam Dental",
        0.5,
        [],
    ),
]

CONTOSO = [
    DemoSession(
        "DEMO-S-301",
        "engineer",
        "Scan-to-email fails on the reception copier",
        "printing",
        "Contoso Pharmacy",
        6,
        [(DONE, "Copier can reach the SMTP relay", "", False)],
    ),
    DemoSession(
        "DEMO-S-302",
        "engineer",
        "Mapped drive asks for credentials at every logon",
        "endpoint",
        "Contoso Pharmacy",
        40,
        [],
        resolution="Removed a stale Credential Manager entry for the old file server.",
    ),
]


def _backdate(session: Session, hours_ago: float) -> None:
    """Spread the session's history from `hours_ago` onwards, a few minutes per entry."""
    start = timezone.now() - timedelta(hours=hours_ago)
    gap = timedelta(minutes=min(6.0, hours_ago * 60 / 40))
    moment = start
    for activity in session.activities.order_by("created_at", "id"):
        type(activity).objects.filter(pk=activity.pk).update(created_at=moment)
        moment += gap
    for n, step in enumerate(session.steps.order_by("order")):
        Step.objects.filter(pk=step.pk).update(created_at=start + gap * (n + 1))
    resolved_at = moment - gap if session.status == Session.Status.RESOLVED else None
    Session.objects.filter(pk=session.pk).update(created_at=start, updated_at=moment - gap, resolved_at=resolved_at)


def _seed_one(spec: DemoSession, users: dict) -> None:
    user = users[spec.user]
    if Session.objects.filter(account_id=user.account_id, ticket_ref=spec.ticket).exists():
        return
    provider = OfflineProvider()
    session = services.open_session(
        user, problem_summary=spec.summary, problem_domain=spec.domain, client_name=spec.client, ticket_ref=spec.ticket
    )
    turn = services.ask_copilot(session, user, spec.summary, provider=provider)
    for step, (status, note, output, dead_end) in zip(turn.steps, spec.results, strict=False):
        services.record_result(step, user, status=status, result_note=note, output=output, is_dead_end=dead_end)
    if spec.follow_up:
        services.ask_copilot(session, user, spec.follow_up, provider=provider)
    for note in spec.notes:
        services.add_note(session, user, note)
    if spec.resolution:
        services.resolve(session, user, spec.resolution)
    session.refresh_from_db()
    _backdate(session, spec.hours_ago)


def seed(demo: dict) -> None:
    """`demo` maps "northwind"/"contoso" to (account, users-by-key) from accounts.demo."""
    for key, specs in (("northwind", NORTHWIND), ("contoso", CONTOSO)):
        _, users = demo[key]
        for spec in specs:
            _seed_one(spec, users)


def index_all(demo: dict) -> None:
    """Registered last: some demo rows are written around the services (back-dated history), so index them all."""
    search.refresh_all()
