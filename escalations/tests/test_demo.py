"""seed_demo's escalation part: open escalations with ready assessments and a parked session, idempotent."""

from accounts import demo as accounts_demo
from escalations import demo
from escalations.models import Handoff


def test_demo_seeds_open_escalations_and_a_parked_session_once(db):
    accounts = accounts_demo.seed()
    demo.seed(accounts)
    demo.seed(accounts)
    northwind, users = accounts["northwind"]
    escalations = Handoff.objects.filter(account=northwind, intent="escalate", claimed_at__isnull=True)
    assert escalations.count() == 3
    assert all(h.assessment_status == "ready" and h.ai_assessment["suggested_steps"] for h in escalations)
    assert {h.handed_off_by for h in escalations} <= {users["junior1"], users["junior2"]}
    assert all(h.session.status == "escalated" for h in escalations)
    parked = Handoff.objects.get(account=northwind, intent="park")
    assert parked.session.status == "parked"
    assert list(Handoff.objects.exclude(account=northwind)) == []
