"""Bulk data for the knowledge-loop benches: resolved sessions with realistic problem text, and flow runs.

Kept apart from bench/data.py (the escalation benches' data) so each bench's data reads on its own.
"""

import random
import time
import uuid
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F

from accounts.models import Account, Role
from bench.data import HANDOFF_FIELDS, SESSION_FIELDS, bulk_insert, make_users
from escalations.models import Handoff
from flowpilot.models import ProblemDomain, Session
from flowpilot.search import refresh_all
from flows import services
from flows.models import FlowRun

_THINGS = (
    "outlook teams onedrive sharepoint vpn wifi printer scanner laptop desktop server firewall switch dns dhcp "
    "mfa authenticator intune autopilot backup exchange mailbox calendar citrix rdp bitlocker defender antivirus "
    "browser chrome edge excel word quickbooks sage nas raid hyperv vmware azure aws certificate domain gpo"
)
_SYMPTOMS = (
    "keeps asking for password|will not connect|drops every few minutes|is very slow|shows offline|crashes on start|"
    "cannot sign in|sync stuck|error 0x80070005|certificate warning|locked out|not receiving mail|prints blank pages|"
    "blue screen after update|disk full|license expired|stuck on loading|cannot map drive|no internet|time out"
)
_FIXES = (
    "Cleared cached credentials|Reinstalled the client|Updated the driver|Replaced the cable|Renewed the certificate|"
    "Reset the profile|Freed disk space|Re-enrolled the device|Restarted the service|Changed the DNS server"
)
THINGS, SYMPTOMS, FIXES = _THINGS.split(), _SYMPTOMS.split("|"), _FIXES.split("|")
RUN_FIELDS = ["id", "account", "session", "flow", "version", "current_version", "current", "history", "outcome"]
RUN_FIELDS += ["started_by", "started_at", "ended_at"]
VACUUM_TRIES = 10


def problem(rng: random.Random) -> str:
    return f"{rng.choice(THINGS).capitalize()} {rng.choice(SYMPTOMS)} for {rng.choice(['one user', 'the office'])}"


def seed_resolved_sessions(account: Account, n: int, now: datetime, rng: random.Random) -> int:
    """`n` resolved sessions over the last year, then their stored search vectors (one UPDATE)."""
    (owner,) = make_users(account, Role.ENGINEER, 1, "resolver")
    domains = ProblemDomain.values

    def rows():
        for i in range(n):
            created = now - timedelta(days=rng.uniform(0, 365))
            fix = f"{rng.choice(FIXES)} ({rng.choice(THINGS)})"
            yield (uuid.uuid4(), account.pk, owner.pk, owner.pk, "resolved", problem(rng), domains[i % 9],
                   "Bench client", f"S{i}", fix, created, created)  # fmt: skip

    count = bulk_insert(Session, SESSION_FIELDS, rows())
    Session.objects.filter(account=account).update(resolved_at=F("created_at"))
    refresh_all()
    _analyze(Session)
    return count


def _analyze(*models, vacuum: bool = False) -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give a real database.

    With `vacuum`, also the visibility map autovacuum sets after inserts (PostgreSQL 13+), without which
    index-only scans still visit the heap; VACUUM cannot run in a transaction (the --here tests), so there
    it falls back to ANALYZE."""
    vacuum = vacuum and connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            for _ in range(VACUUM_TRIES if vacuum else 1):
                cursor.execute(f'{"VACUUM ANALYZE" if vacuum else "ANALYZE"} "{table}"')
                if not vacuum or _all_visible(cursor, table):
                    break
                # An autovacuum ANALYZE started by the bulk load holds back the horizon; wait it out.
                time.sleep(1)


def _all_visible(cursor, table: str) -> bool:
    cursor.execute("SELECT relallvisible >= 0.95 * relpages FROM pg_class WHERE oid = %s::regclass", [table])
    return cursor.fetchone()[0]


def seed_flow_runs(account: Account, n_runs: int, n_flows: int, now: datetime, rng: random.Random) -> int:
    """`n_flows` published flows and `n_runs` runs over 90 days (each in its own session); some escalate.

    Each session carries realistic problem text, so the knowledge-gap clusters group real words."""
    owner, engineer = make_users(account, Role.OWNER, 1, "flowowner")[0], make_users(account, Role.ENGINEER, 1, "e")[0]
    graph = {
        "schema_version": 1,
        "start": "q",
        "nodes": [
            {"key": "q", "type": "question", "text": "Is it on?", "answers": [
                {"label": "Yes", "next": "a"}, {"label": "No", "next": "done"}]},
            {"key": "a", "type": "action", "text": "Restart it", "next": "done"},
            {"key": "done", "type": "outcome", "text": "Fixed", "outcome": "resolved"},
        ],
    }  # fmt: skip
    flows = []
    for i in range(n_flows):
        flow = services.create_flow(engineer, title=f"Bench flow {i}", problem_domain=ProblemDomain.values[i % 7],
                                    graph=graph)  # fmt: skip
        flows.append((flow, services.publish(flow, owner)))
    plan = []
    for _ in range(n_runs):
        flow, version = rng.choice(flows)
        started = now - timedelta(days=rng.uniform(0, 89))
        outcome = rng.choices(["resolved", "escalate", "left", ""], weights=[6, 2, 1, 1])[0]
        ended = started + timedelta(seconds=rng.lognormvariate(6, 1)) if outcome else None
        current = {"resolved": "done", "escalate": "a", "left": "a", "": "q"}[outcome]
        plan.append((uuid.uuid4(), flow, version, started, outcome, ended, current))
    domains = ProblemDomain.values
    bulk_insert(
        Session,
        SESSION_FIELDS,
        ((sid, account.pk, engineer.pk, engineer.pk, "resolved", problem(rng), domains[i % 9], "", f"R{i}", "Fixed",
          started, started) for i, (sid, _, _, started, *_) in enumerate(plan)),
    )  # fmt: skip
    count = bulk_insert(
        FlowRun,
        RUN_FIELDS,
        ((uuid.uuid4(), account.pk, sid, flow.pk, version.pk, version.pk, current, [], outcome, engineer.pk, started,
          ended) for sid, flow, version, started, outcome, ended, current in plan),
    )  # fmt: skip
    escalated = [(sid, started) for sid, _, _, started, outcome, *_ in plan if outcome == "escalate"]
    bulk_insert(
        Handoff,
        [*HANDOFF_FIELDS, "closed_reason"],
        ((uuid.uuid4(), sid, account.pk, engineer.pk, "escalate", "", "normal", {"schema_version": 1}, "ready",
          None, None, started, "") for sid, started in escalated),
    )  # fmt: skip
    _analyze(Session, FlowRun, Handoff, vacuum=True)
    return count
