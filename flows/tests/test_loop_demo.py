"""seed_demo's knowledge-loop part: pending proposals, an amendment, an accepted one with its draft."""

from accounts import demo as accounts_demo
from flows.models import Flow, FlowProposal, ProposalSource


def test_demo_seeds_the_loop_once(db):
    accounts = accounts_demo.seed_all()
    accounts_demo.seed_all()  # idempotent
    northwind, _ = accounts["northwind"]
    proposals = FlowProposal.objects.filter(account=northwind)
    assert proposals.filter(status="pending").exists()
    assert proposals.filter(status="pending", flow__title="VPN drops or will not connect").exists()
    accepted = proposals.get(status="accepted")
    assert accepted.draft.status == Flow.Status.DRAFT
    sessions = ProposalSource.objects.values_list("session_id", flat=True)
    assert len(sessions) == len(set(sessions))
    contoso, _ = accounts["contoso"]
    assert not FlowProposal.objects.filter(account=contoso, sources__session__account=northwind).exists()
