"""Demo data for `seed_demo` (this app's part): published flows and sessions that ran them. Idempotent.

Flows are built from the offline copilot's rule book (the same skeletons as the
AI flow builder) and published through the services; some get a second version.
Sessions run them through the runner; one escalates mid-flow (its handoff row is
staged like escalations.demo: no emails, pushes or AI calls). Flows are found by
title, sessions by ticket ref ("DEMO-F-###").
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from escalations.assessment import stored_assessment
from escalations.models import Handoff
from escalations.snapshot import build_snapshot
from flowpilot import services as session_services
from flowpilot.ai.offline import OfflineProvider
from flowpilot.models import Activity, Session
from flows import builder, runner, services
from flows.models import Flow, FlowRun

# (title, domain, problem the rule book matches, tags, publish a second version)
NORTHWIND_FLOWS = [
    (
        "Outlook keeps prompting for a password",
        "email",
        "outlook keeps prompting for a password",
        ["outlook", "m365"],
        True,
    ),
    ("VPN drops or will not connect", "networking", "vpn disconnects", ["vpn", "remote work"], True),
    ("User account locked out", "identity", "account locked out", ["active directory"], False),
    ("Name does not resolve (DNS)", "networking", "dns does not resolve", ["dns"], False),
    ("Mail not delivered", "email", "mail not delivered bounce", ["exchange", "mail flow"], True),
    ("MFA prompt never arrives", "identity", "mfa prompt authenticator", ["mfa"], False),
    ("Printer offline", "printing", "printer offline", ["printing"], False),
    ("Server disk full", "server", "disk full", ["storage"], True),
    ("Wi-Fi slow or dropping", "networking", "wifi slow", ["wifi"], False),
]
CONTOSO_FLOWS = [("Backup job failed", "server", "backup failed", ["backup"], False)]

ONBOARDING = {
    "schema_version": 1,
    "start": "account",
    "nodes": [
        {"key": "account", "type": "action", "text": "Create the user in Entra ID and assign a licence", "next": "mfa"},
        {"key": "mfa", "type": "action", "text": "Register MFA with the user on the phone", "next": "laptop"},
        {"key": "laptop", "type": "action", "text": "Enrol the laptop in Intune (Autopilot)", "next": "mail"},
        {"key": "mail", "type": "action", "text": "Send a test mail and open Teams", "next": "done"},
        {"key": "done", "type": "outcome", "text": "User onboarded", "outcome": "resolved"},
    ],
}


@dataclass(frozen=True)
class DemoRun:
    ticket: str
    user: str
    flow: str
    summary: str
    domain: str
    hours_ago: float
    # Answers in order: an answer label for questions, a status for actions.
    answers: tuple[str, ...]
    escalate_notes: str = ""  # escalate mid-flow with these notes


OUTLOOK, VPN = "Outlook keeps prompting for a password", "VPN drops or will not connect"
NORTHWIND_RUNS = [
    DemoRun("DEMO-F-301", "junior1", OUTLOOK, "Outlook asks for the password every hour",
            "email", 30, ("done", "No", "done", "Yes")),
    DemoRun("DEMO-F-302", "junior2", VPN, "VPN drops for the whole sales team", "networking", 2,
            ("done", "No", "failed"), escalate_notes="Followed the VPN flow; the second fix did not help."),
    DemoRun("DEMO-F-303", "junior2", "Printer offline", "Reception printer shows offline", "printing", 70,
            ("done", "Yes")),
    DemoRun("DEMO-F-304", "junior1", "Server disk full", "FS01 C: drive at 99%", "server", 120,
            ("done", "No", "done", "No", "done", "Yes")),
]  # fmt: skip


def _flow(user, owner, title: str, domain: str, problem: str, tags: list[str], second: bool) -> Flow:
    existing = Flow.objects.filter(account_id=user.account_id, title=title).first()
    if existing is not None:
        return existing
    document = builder.offline_document(problem, domain)
    flow = services.create_flow(
        user, title=title, problem_domain=domain, description=document["description"], tags=tags, graph=document
    )
    services.publish(flow, owner)
    if second:
        # Version 2: the team learnt to ask the cheapest question first.
        graph = dict(flow.graph)
        graph["nodes"] = [dict(n) for n in graph["nodes"]]
        graph["nodes"][0]["text"] += " (check with the user first)"
        services.replace_graph(flow, user, graph)
        services.publish(flow, owner)
    flow.refresh_from_db()
    return flow


def _run(spec: DemoRun, users: dict, flows: dict[str, Flow]) -> None:
    user = users[spec.user]
    if Session.objects.filter(account_id=user.account_id, ticket_ref=spec.ticket).exists():
        return
    session = session_services.open_session(
        user, problem_summary=spec.summary, problem_domain=spec.domain, ticket_ref=spec.ticket
    )
    run = runner.start_run(session, user, flows[spec.flow])
    for given in spec.answers:
        node = run.current_version.node(run.current)
        if node["type"] == "question":
            run = runner.answer(run, user, node=run.current, answer=given)
        else:
            run = runner.answer(run, user, node=run.current, status=given, result_note=f"{given} on the first try")
    if run.outcome == FlowRun.Outcome.RESOLVED:
        session_services.resolve(session, user, run.current_version.node(run.current)["text"])
    elif spec.escalate_notes:
        _escalate(session, user, spec.escalate_notes)
    start = timezone.now() - timedelta(hours=spec.hours_ago)
    FlowRun.objects.filter(pk=run.pk).update(started_at=start)
    Session.objects.filter(pk=session.pk).update(created_at=start)


def _escalate(session: Session, user, notes: str) -> None:
    """A mid-flow escalation staged like escalations.demo (no side effects)."""
    snapshot = build_snapshot(session, notes)
    handoff = Handoff.objects.create(
        session=session,
        account_id=session.account_id,
        handed_off_by=user,
        intent=Handoff.Intent.ESCALATE,
        engineer_notes=notes,
        priority="high",
        snapshot=snapshot,
        assessment_status=Handoff.AssessmentStatus.READY,
        ai_assessment=stored_assessment(OfflineProvider().assess(snapshot, timeout=5)),
    )
    Session.objects.filter(pk=session.pk).update(status=Session.Status.ESCALATED, assignee=None)
    Activity.objects.create(
        session=session,
        account_id=session.account_id,
        actor=user,
        kind=Activity.Kind.ESCALATED,
        payload={"handoff_id": str(handoff.pk), "priority": "high", "notes": notes},
    )


def seed(demo: dict) -> None:
    """`demo` maps "northwind"/"contoso" to (account, users-by-key) from accounts.demo."""
    _, users = demo["northwind"]
    flows: dict[str, Flow] = {}
    for title, domain, problem, tags, second in NORTHWIND_FLOWS:
        flows[title] = _flow(users["senior2"], users["owner"], title, domain, problem, tags, second)
    if not Flow.objects.filter(account_id=users["owner"].account_id, title="New user onboarding").exists():
        onboarding = services.create_flow(
            users["senior1"], title="New user onboarding", kind=Flow.Kind.PROCEDURE, problem_domain="identity",
            tags=["onboarding"], graph=ONBOARDING,
        )  # fmt: skip
        services.publish(onboarding, users["owner"])
    for spec in NORTHWIND_RUNS:
        _run(spec, users, flows)
    _, contoso = demo["contoso"]
    for title, domain, problem, tags, second in CONTOSO_FLOWS:
        _flow(contoso["engineer"], contoso["owner"], title, domain, problem, tags, second)
