"""seed_demo's flows part: published flows across domains, versions 1 and 2, runs including a mid-flow escalation."""

from django.db.models import Count

from accounts import demo as accounts_demo
from escalations.models import Handoff
from flows import demo
from flows.models import Flow, FlowRun, FlowVersion


def test_demo_seeds_published_flows_and_runs_once(db):
    accounts = accounts_demo.seed()
    demo.seed(accounts)
    demo.seed(accounts)
    northwind, _ = accounts["northwind"]
    published = Flow.objects.filter(account=northwind, status="published")
    assert published.count() >= 8
    assert published.values("problem_domain").distinct().count() >= 5
    assert FlowVersion.objects.filter(account=northwind, number=2).count() >= 2
    runs = FlowRun.objects.filter(account=northwind)
    assert runs.count() == len(demo.NORTHWIND_RUNS)
    assert runs.filter(outcome="resolved").count() >= 3
    escalated = Handoff.objects.get(session__ticket_ref="DEMO-F-302")
    assert escalated.snapshot["flow"]["path"] and not escalated.snapshot["flow"]["ended"]
    assert escalated.session.status == "escalated"
    assert not Flow.objects.values("account", "title").annotate(n=Count("pk")).filter(n__gt=1).exists()
