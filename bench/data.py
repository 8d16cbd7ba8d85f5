"""Bulk data for the bench commands: accounts, users, open escalations and claimed history.

Rows go in with COPY on PostgreSQL (batched bulk_create elsewhere): 100,000
handoffs with their sessions and ~215,000 activities take well under a minute.
"""

import random
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from rest_framework.authtoken.models import Token

from accounts.models import Account, Role, User
from analytics.models import BaselineEntry
from escalations.first_action import backfill_first_action
from escalations.models import Handoff
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity, ProblemDomain, Session

SESSION_FIELDS = ["id", "account", "owner", "assignee", "status", "problem_summary", "problem_domain"]
SESSION_FIELDS += ["client_name", "ticket_ref", "resolution_summary", "created_at", "updated_at"]
HANDOFF_FIELDS = ["id", "session", "account", "handed_off_by", "intent", "engineer_notes", "priority"]
HANDOFF_FIELDS += ["snapshot", "assessment_status", "claimed_by", "claimed_at", "created_at"]
# The session's domain, copied onto the handoff (Handoff.save() does it outside bulk loads).
DOMAIN_HANDOFF_FIELDS = [*HANDOFF_FIELDS, "problem_domain"]
ACTIVITY_FIELDS = ["id", "session", "account", "actor", "kind", "payload", "created_at"]
SNAPSHOT = {"schema_version": 1, "counts": {"steps": 3, "failed": 1, "dead_ends": 1}}


def bulk_insert(model, fields: list[str], rows: Iterable[tuple], batch_size: int = 5000) -> int:
    """Insert raw rows fast: COPY on PostgreSQL, batched bulk_create elsewhere; the number inserted."""
    fields, rows = _with_defaults(model, fields, rows)
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        meta = model._meta
        # COPY skips Django's Python-side defaults ("" for text fields too): fill the other NOT NULL fields.
        extra = [
            f
            for f in meta.concrete_fields
            if f.name not in fields and not f.null and not f.primary_key and f.get_default() is not None
        ]
        all_fields = [*fields, *(f.name for f in extra)]
        defaults = tuple(f.get_default() for f in extra)
        json_at = {i for i, name in enumerate(all_fields) if meta.get_field(name).get_internal_type() == "JSONField"}
        columns = ", ".join(f'"{meta.get_field(name).column}"' for name in all_fields)
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{meta.db_table}" ({columns}) FROM STDIN') as copy,
        ):
            for row in rows:
                row = (*row, *defaults)
                copy.write_row(tuple(Jsonb(v) if i in json_at else v for i, v in enumerate(row)))
                count += 1
        return count
    attnames = [model._meta.get_field(name).attname for name in fields]  # "account" -> "account_id"
    count, batch = 0, []
    for row in rows:
        batch.append(model(**dict(zip(attnames, row, strict=True))))
        if len(batch) >= batch_size:
            count += len(model.objects.bulk_create(batch))
            batch = []
    return count + len(model.objects.bulk_create(batch))


def _with_defaults(model, fields: list[str], rows: Iterable[tuple]) -> tuple[list[str], Iterable[tuple]]:
    """Add every NOT NULL column the caller did not list, with the model's default: COPY skips
    Django's defaults, so a field added later (e.g. `Handoff.closed_reason`) would break the load."""
    extra = [
        f
        for f in model._meta.concrete_fields
        if f.name not in fields and not f.null and not f.primary_key and (f.has_default() or f.empty_strings_allowed)
    ]
    if not extra:
        return fields, rows
    defaults = tuple(f.get_default() for f in extra)
    return [*fields, *(f.name for f in extra)], (row + defaults for row in rows)


def bench_account(name: str) -> Account:
    """A fresh account for one bench run (a unique code, so reruns never collide)."""
    return Account.objects.create(name=name, code=f"BENCH{uuid.uuid4().hex[:8].upper()}")


def make_users(account: Account, role: str, count: int, prefix: str) -> list[User]:
    """`count` active users without a usable password (hashing would dominate the setup)."""
    users = [
        User(
            email=f"{prefix}{i}@{account.code.lower()}.bench.invalid",
            name=f"{prefix.title()} {i}",
            account=account,
            account_role=role,
        )
        for i in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    return User.objects.bulk_create(users)


def session_cookie(user: User) -> str:
    """A logged-in Django session for `user`, as the value of the `sessionid` cookie."""
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def api_token(user: User) -> str:
    return Token.objects.create(user=user).key


def seed_open_escalations(account: Account, escalators: list[User], n: int, now: datetime) -> list[uuid.UUID]:
    """`n` unclaimed escalations (newest first by id order), with their sessions; their handoff ids."""
    plan = [
        (uuid.uuid4(), uuid.uuid4(), escalators[i % len(escalators)].pk, now - timedelta(minutes=i)) for i in range(n)
    ]
    domains = ProblemDomain.values
    bulk_insert(
        Session,
        SESSION_FIELDS,
        (
            (sid, account.pk, by, None, "escalated", f"Open problem {i}: VPN drops after sleep", domains[i % 9],
             "Bench client", f"T{i}", "", at, at)
            for i, (_, sid, by, at) in enumerate(plan)
        ),
    )  # fmt: skip
    bulk_insert(
        Handoff,
        DOMAIN_HANDOFF_FIELDS,
        (
            (hid, sid, account.pk, by, "escalate", "Tried the usual; stuck on the tunnel.", "high",
             SNAPSHOT, "ready", None, None, at, domains[i % 9])
            for i, (hid, sid, by, at) in enumerate(plan)
        ),
    )  # fmt: skip
    return [hid for hid, *_ in plan]


def seed_claimed_history(
    account: Account, n: int, now: datetime, rng: random.Random, days: float = 29.9, backfill: bool = True
) -> dict:
    """`n` escalations claimed in the last `days` days, with claim, work and noise activities; counts.
    Without `backfill` the caller fills `first_action_at` itself (one UPDATE for many accounts)."""
    juniors = [u.pk for u in make_users(account, Role.ENGINEER, 10, "junior")]
    seniors = [u.pk for u in make_users(account, Role.ENGINEER, 20, "senior")]
    plan = [_plan_one(rng, now, juniors, seniors, days) for _ in range(n)]
    domains = ProblemDomain.values
    bulk_insert(
        Session,
        SESSION_FIELDS,
        (
            (p["session"], account.pk, p["by"], p["claimer"], "active", f"Bench problem {i}", domains[i % 9],
             "Bench client", f"T{i}", "", p["created"], p["claimed"])
            for i, p in enumerate(plan)
        ),
    )  # fmt: skip
    bulk_insert(
        Handoff,
        DOMAIN_HANDOFF_FIELDS,
        (
            (uuid.uuid4(), p["session"], account.pk, p["by"], "escalate", "", "normal",
             {"schema_version": 1}, "ready", p["claimer"], p["claimed"], p["created"], domains[i % 9])
            for i, p in enumerate(plan)
        ),
    )  # fmt: skip
    activities = bulk_insert(
        Activity,
        ACTIVITY_FIELDS,
        ((uuid.uuid4(), p["session"], account.pk, actor, kind, {}, at) for p in plan for actor, kind, at in p["acts"]),
    )
    if backfill:
        # COPY bypasses flowpilot.activity.record, which keeps first_action_at live in the product.
        backfill_first_action(Handoff.objects.filter(account=account))
    for i in range(20):
        opened = now - timedelta(days=rng.uniform(1, 60))
        BaselineEntry.objects.create(
            account=account, ticket_ref=f"B{i}", opened_at=opened, first_action_at=opened + timedelta(minutes=12 + i)
        )
    return {"handoffs": n, "activities": activities, "users": len(juniors) + len(seniors)}


def _plan_one(rng: random.Random, now: datetime, juniors: list, seniors: list, days: float) -> dict:
    """One claimed escalation: the claim, usually a first work action, and lifecycle/noise activities."""
    claimed = now - timedelta(seconds=rng.uniform(600, days * 86400))
    created = claimed - timedelta(seconds=rng.uniform(20, 3600))
    by, claimer = rng.choice(juniors), rng.choice(seniors)
    acts = [(claimer, Activity.Kind.CLAIMED, claimed)]
    if rng.random() < 0.1:  # lifecycle: not an action
        acts.append((claimer, Activity.Kind.CONTEXT_VIEWED, claimed + timedelta(seconds=rng.uniform(1, 30))))
    if rng.random() < 0.15:  # someone else's work on the session: not the claimer's action
        acts.append((by, Activity.Kind.NOTE, claimed + timedelta(seconds=rng.uniform(1, 60))))
    if rng.random() < 0.9:
        kind = rng.choice(sorted(WORK_ACTIVITY_KINDS))
        acts.append((claimer, kind, claimed + timedelta(seconds=rng.lognormvariate(4.5, 1.0))))
    return {"session": uuid.uuid4(), "by": by, "claimer": claimer, "claimed": claimed, "created": created, "acts": acts}
