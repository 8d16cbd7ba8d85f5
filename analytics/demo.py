"""Demo data for `seed_demo` (this app's part): eight weeks of claimed escalations, their exported ticket
notes, and stopwatch baselines of both kinds, so every time-saved source shows (flows: "no flows yet").

Rows are written directly with backdated timestamps: this is history, not the
live flow, so no notifications or assessments run. Idempotent through marker
ticket refs ("DEMO-H-###" on sessions, "DEMO-B-##" and "DEMO-N-##" on baseline entries).
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from analytics.models import BaselineEntry
from escalations.first_action import backfill_first_action
from escalations.models import SNAPSHOT_SCHEMA_VERSION, Handoff
from flowpilot.models import Activity, ProblemDomain, Session

HISTORY_DAYS = 56
N_ESCALATIONS = 40
NO_ACTION_EVERY = 9  # every ninth escalation was claimed but never worked in the product

PROBLEMS = [
    (ProblemDomain.NETWORKING, "Site-to-site VPN drops every few minutes", "Harbor Dental"),
    (ProblemDomain.IDENTITY, "Users locked out after password sync", "Birch & Co Law"),
    (ProblemDomain.EMAIL, "Outbound mail to Gmail bouncing with 550 5.7.26", "Lakeside Clinic"),
    (ProblemDomain.ENDPOINT, "Laptops stuck on BitLocker recovery after BIOS update", "Redwood Realty"),
    (ProblemDomain.SERVER, "File server shares intermittently unavailable", "Summit Engineering"),
    (ProblemDomain.CLOUD, "Teams calls dropping for remote staff", "Harbor Dental"),
    (ProblemDomain.SECURITY, "MFA prompts looping on the finance team", "Birch & Co Law"),
    (ProblemDomain.PRINTING, "Scan-to-email fails on the main copier", "Lakeside Clinic"),
]


def _history(rng: random.Random, index: int, now: datetime) -> dict:
    """Timestamps of one past escalation; older ones were slower, so the trend shows the product settling in."""
    claimed_at = now - timedelta(
        days=HISTORY_DAYS * (N_ESCALATIONS - index - 0.5) / N_ESCALATIONS, minutes=rng.randint(0, 240)
    )
    age = (now - claimed_at) / timedelta(days=HISTORY_DAYS)
    ttfa = timedelta(seconds=rng.randint(30, 150) + int(age * rng.randint(60, 210)))
    return {
        "created_at": claimed_at - timedelta(seconds=rng.randint(60, 1500)),
        "claimed_at": claimed_at,
        "first_action_at": None if index % NO_ACTION_EVERY == NO_ACTION_EVERY - 1 else claimed_at + ttfa,
    }


def _escalation(account, escalator, claimer, ref: str, problem: tuple, times: dict) -> tuple:
    domain, summary, client = problem
    started = times["created_at"] - timedelta(minutes=25)
    done = (times["first_action_at"] or times["claimed_at"]) + timedelta(minutes=20)
    session = Session(
        account=account,
        owner=escalator,
        assignee=claimer,
        status=Session.Status.RESOLVED,
        problem_summary=summary,
        problem_domain=domain,
        client_name=client,
        ticket_ref=ref,
        resolution_summary="Resolved after escalation.",
        created_at=started,
        resolved_at=done,
    )
    handoff = Handoff(
        session=session,
        account=account,
        handed_off_by=escalator,
        intent=Handoff.Intent.ESCALATE,
        problem_domain=domain,  # bulk_create skips Handoff.save(), which copies it
        engineer_notes="Tried the usual checks; need a second pair of eyes.",
        snapshot={"schema_version": SNAPSHOT_SCHEMA_VERSION, "summary": summary, "domain": domain, "client": client},
        assessment_status=Handoff.AssessmentStatus.UNAVAILABLE,
        claimed_by=claimer,
        claimed_at=times["claimed_at"],
        created_at=times["created_at"],
    )
    kinds = [
        (escalator, Activity.Kind.OPENED, started),
        (escalator, Activity.Kind.ESCALATED, times["created_at"]),
        (claimer, Activity.Kind.CLAIMED, times["claimed_at"]),
        (claimer, Activity.Kind.CONTEXT_VIEWED, times["claimed_at"] + timedelta(seconds=5)),
    ]
    if times["first_action_at"]:
        kinds.append((claimer, Activity.Kind.MESSAGE, times["first_action_at"]))
        kinds.append((claimer, Activity.Kind.STEP_RESULT, times["first_action_at"] + timedelta(minutes=4)))
    kinds.append((claimer, Activity.Kind.RESOLVED, done))
    activities = [
        Activity(session=session, account=account, actor=actor, kind=kind, created_at=at) for actor, kind, at in kinds
    ]
    return session, handoff, activities


def _seed_history(account, escalators: list, claimers: list, count: int, prefix: str, now: datetime) -> None:
    if Session.objects.filter(account=account, ticket_ref__startswith=prefix).exists():
        return
    rng = random.Random(f"{account.code}-history")  # seeded: the demo is the same on every machine
    rows = [
        _escalation(
            account,
            escalators[i % len(escalators)],
            claimers[(i // 2) % len(claimers)],
            f"{prefix}{i + 1:03d}",
            PROBLEMS[(i * 3) % len(PROBLEMS)],
            _history(rng, i, now),
        )
        for i in range(count)
    ]
    Session.objects.bulk_create([session for session, _, _ in rows])
    Handoff.objects.bulk_create([handoff for _, handoff, _ in rows])
    Activity.objects.bulk_create([activity for _, _, activities in rows for activity in activities])
    # bulk_create bypasses flowpilot.activity.record, which keeps first_action_at live.
    backfill_first_action(Handoff.objects.filter(account=account, session__ticket_ref__startswith=prefix))


BASELINE_KINDS = {
    # kind: (marker prefix, seconds range, note)
    BaselineEntry.Kind.ESCALATION: (
        "DEMO-B-",
        (4 * 60, 9 * 60),
        "Stopwatch: includes the 'what did you try' call before the first diagnostic step.",
    ),
    BaselineEntry.Kind.TICKET_NOTES: (
        "DEMO-N-",
        (7 * 60, 15 * 60),
        "Stopwatch: writing the ticket notes by hand after the fix, before the product.",
    ),
}


def _seed_baseline(account, recorders: list, count: int, now: datetime, kind=BaselineEntry.Kind.ESCALATION) -> None:
    prefix, (low, high), note = BASELINE_KINDS[kind]
    if BaselineEntry.objects.filter(account=account, ticket_ref__startswith=prefix).exists():
        return
    rng = random.Random(f"{account.code}-baseline-{kind}")  # seeded: the demo is the same on every machine
    entries = []
    for i in range(count):
        opened = now - timedelta(days=HISTORY_DAYS - i * 6, hours=rng.randint(1, 8))
        entries.append(
            BaselineEntry(
                account=account,
                kind=kind,
                recorded_by=recorders[i % len(recorders)],
                ticket_ref=f"{prefix}{i + 1:02d}",
                opened_at=opened,
                first_action_at=opened + timedelta(seconds=rng.randint(low, high)),
                note=note,
                created_at=opened + timedelta(hours=1),
            )
        )
    BaselineEntry.objects.bulk_create(entries)


def _seed_notes_exports(account, prefix: str) -> None:
    """Two in three resolved demo sessions had their generated notes copied, downloaded or pushed."""
    sessions = Session.objects.filter(account=account, ticket_ref__startswith=prefix).order_by("ticket_ref")
    if Activity.objects.filter(session__in=sessions, kind=Activity.Kind.NOTES_EXPORTED).exists():
        return
    channels = ["copy", "download", "psa"]
    Activity.objects.bulk_create(
        Activity(
            session=session,
            account=account,
            actor=session.assignee,
            kind=Activity.Kind.NOTES_EXPORTED,
            payload={"channel": channels[i % 3], "format": "md"},
            created_at=session.resolved_at + timedelta(minutes=2),
        )
        for i, session in enumerate(sessions)
        if i % 3 != 2 and session.resolved_at
    )


def seed(demo: dict) -> None:
    """`demo` maps "northwind"/"contoso" to (account, users-by-key) from accounts.demo."""
    now = timezone.now()
    northwind, nw = demo["northwind"]
    _seed_history(
        northwind, [nw["junior1"], nw["junior2"]], [nw["senior1"], nw["senior2"]], N_ESCALATIONS, "DEMO-H-", now
    )
    _seed_baseline(northwind, [nw["owner"], nw["senior1"]], 8, now)
    _seed_baseline(northwind, [nw["senior1"], nw["senior2"]], 6, now, BaselineEntry.Kind.TICKET_NOTES)
    _seed_notes_exports(northwind, "DEMO-H-")
    # A little Contoso history, so tenancy is visible: its figures never mix with Northwind's.
    contoso, co = demo["contoso"]
    _seed_history(contoso, [co["engineer"]], [co["owner"]], 2, "DEMO-H-", now)
    _seed_baseline(contoso, [co["owner"]], 1, now)
