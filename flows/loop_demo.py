"""Demo data for the knowledge loop (`seed_demo`, after the flows' part): pending proposals, an accepted one
with its draft, and an amendment from a session that left a flow. Idempotent: a session feeds one proposal."""

from flowpilot import services as session_services
from flowpilot.models import Session
from flows import proposals, runner
from flows.models import Flow, FlowProposal

PROPOSED_FROM = 8
LEFT_TICKET = "DEMO-L-401"
VPN = "VPN drops or will not connect"


def _left_flow_session(users: dict) -> None:
    """A junior leaves the VPN flow at its first fix and resolves with something the flow lacks."""
    user = users["junior1"]
    flow = Flow.objects.filter(account_id=user.account_id, title=VPN, status=Flow.Status.PUBLISHED).first()
    if flow is None or Session.objects.filter(account_id=user.account_id, ticket_ref=LEFT_TICKET).exists():
        return
    session = session_services.open_session(
        user, problem_summary="VPN drops when the laptop wakes from sleep", problem_domain="networking",
        ticket_ref=LEFT_TICKET,
    )  # fmt: skip
    run = runner.start_run(session, user, flow)
    runner.leave(run, user)
    session_services.add_step(
        session, user, title="Disable power saving on the Wi-Fi adapter", status="done",
        command="powercfg /devicequery wake_armed", result_note="No drops for two hours",
    )  # fmt: skip
    session_services.resolve(session, user, "Turned off NIC power saving; the VPN stays up after sleep")
    proposals.propose_from_session(session.pk)


def seed(demo: dict) -> None:
    account, users = demo["northwind"]
    _left_flow_session(users)
    resolved = Session.objects.filter(account=account, status=Session.Status.RESOLVED).order_by("-resolved_at")
    for session in resolved[:PROPOSED_FROM]:
        proposals.propose_from_session(session.pk)
    pending = FlowProposal.objects.filter(account=account, status=FlowProposal.Status.PENDING, flow__isnull=True)
    if not FlowProposal.objects.filter(account=account, status=FlowProposal.Status.ACCEPTED).exists():
        first = pending.order_by("created_at").first()
        if first is not None:
            proposals.accept(first, users["owner"])
