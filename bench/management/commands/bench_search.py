"""bench_search: session search over many sessions and steps, full-text against an icontains scan.

Times what the sessions page does for a search (flowpilot.selectors.sessions_for with `q`,
its paginator's count and first page, and the snippets of that page) for narrow queries
(a topic word: about 1 in 40 sessions), medium ones (a filler word: about 1 in 8) and broad
ones (words in most sessions), beside the `icontains` fallback (flowpilot.search's SQLite path)
run on the same PostgreSQL data. The list ranks the newest search.RANKED_MATCHES matches, so
`hits` gives every match (`fts`, counted untimed) and what the list holds (`listed`).
`--here --reuse` searches the sessions an earlier `--here` run left, without loading new ones.
"""

import random
import time
import uuid
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery
from django.core.paginator import Paginator
from django.db import connection
from django.utils import timezone

from accounts.models import Role, User
from bench.data import SESSION_FIELDS, bench_account, bulk_insert, make_users
from bench.harness import BenchCommand, Report, summary_ms, timed
from flowpilot import search, selectors
from flowpilot.models import ProblemDomain, Session, Step
from flowpilot.views import PAGE_SIZE

TARGET_P95_MS = 100
_TOPICS_TEXT = (
    "vpn outlook printer spooler dhcp mailbox licence onedrive sharepoint firewall certificate bitlocker wifi "
    "proxy calendar quota gpo antivirus phishing docking scanner citrix intune autopilot teams exchange "
    "kerberos ntlm smtp imap raid veeam hyperv vmware sql iis apache nginx ldap radius"
)
TOPICS = tuple(_TOPICS_TEXT.split())
_COMMON_TEXT = "user restart checked reboot error still working ticket client laptop screen password"
COMMON = tuple(_COMMON_TEXT.split())
# Made-up filler words (3,375 distinct), so only the session's topic word ties it to a topic.
_SYLLABLE_TEXT = "ka lo mi ne ru ta vo zi pe du ga fo hi ju ly"
_SYLLABLES = tuple(_SYLLABLE_TEXT.split())
FILLER = [a + b + c + "x" for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES]
NARROW = ("bitlocker", "veeam", "kerberos ticket", "citrix", "intune", "smtp -exchange")
MEDIUM = ("kakakax", "dufohix", "rutavox")  # filler words: each in about 12% of sessions
BROAD = ("restart", "user error", "password", "checked still working", "laptop screen")
STEP_FIELDS = ["id", "session", "account", "order", "title", "detail", "command", "source", "status"]
STEP_FIELDS += ["result_note", "output", "created_at", "updated_at"]


class Command(BenchCommand):
    help = "Session search (PostgreSQL full text, ranked, with snippets) over many sessions, against icontains."
    bench_name = "search"

    def add_bench_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=10_000, help="sessions (--big: 100,000)")
        parser.add_argument("--steps", type=int, default=10, help="steps per session")
        parser.add_argument("--big", action="store_true", help="100,000 sessions and 1,000,000 steps")
        parser.add_argument("--rounds", type=int, default=3, help="timed runs of each query")
        parser.add_argument("--scan-rounds", type=int, default=1, help="timed runs of each icontains query")
        parser.add_argument("--seed", type=int, default=17)
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="With --here: search the sessions a previous run left (same size) instead of loading new ones",
        )

    def run_bench(self, report: Report, **opts) -> None:
        n_sessions = 100_000 if opts["big"] else opts["sessions"]
        kept = _kept_user(n_sessions) if opts["reuse"] and opts["here"] else None
        if kept:
            user, steps = kept, Step.objects.filter(account_id=kept.account_id).count()
            report.row("reused", f"{n_sessions} sessions, {steps} steps of an earlier run")
        else:
            user, steps = _generate(report, n_sessions, opts)
        results = {}
        for kind, queries in (("narrow", NARROW), ("medium", MEDIUM), ("broad", BROAD)):
            results[kind] = measure(user, queries, opts["rounds"], opts["scan_rounds"])
        _report(report, n_sessions, steps, results)


def _generate(report: Report, n_sessions: int, opts: dict) -> tuple:
    account = bench_account("Bench search")
    (user,) = make_users(account, Role.ENGINEER, 1, "engineer")
    started = time.perf_counter()
    steps = seed_sessions(account, user, n_sessions, opts["steps"], random.Random(opts["seed"]))
    loaded = time.perf_counter() - started
    indexed = search.refresh_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    report.row("generated", f"{n_sessions} sessions, {steps} steps ({loaded:.0f} s, vectors {indexed})")
    report.row("load and index time", f"{time.perf_counter() - started:.0f} s")
    return user, steps


def _kept_user(n_sessions: int):
    """The engineer of an earlier run's account with exactly `n_sessions` sessions, if one is left."""
    for account_id in (
        Session.objects.filter(account__name="Bench search").values_list("account_id", flat=True).distinct()
    ):
        if Session.objects.filter(account_id=account_id).count() == n_sessions:
            return User.objects.filter(account_id=account_id).first()
    return None


def seed_sessions(account, user, n: int, steps_each: int, rng: random.Random) -> int:
    """`n` resolved sessions on one topic each, with `steps_each` steps; the number of steps."""
    now = timezone.now()
    plan = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        at = now - timedelta(minutes=i)
        plan.append((uuid.uuid4(), topic, at))
    domains = ProblemDomain.values
    bulk_insert(
        Session,
        SESSION_FIELDS,
        (
            (sid, account.pk, user.pk, user.pk, "resolved", f"{topic} {_words(rng, 5)}", domains[i % 9],
             f"Client {i % 300}", f"T{i}", f"Fixed the {topic}: {_words(rng, 8)}", at, at)
            for i, (sid, topic, at) in enumerate(plan)
        ),
    )  # fmt: skip
    return bulk_insert(
        Step,
        STEP_FIELDS,
        (
            (uuid.uuid4(), sid, account.pk, order, f"Check {topic} {_words(rng, 3)}", _words(rng, 12),
             f"Get-{topic.title()}Status -Verbose", "tech", "done", _words(rng, 6),
             f"{topic} {_words(rng, 30)}", at, at)
            for sid, topic, at in plan
            for order in range(1, steps_each + 1)
        ),
    )  # fmt: skip


def _words(rng: random.Random, k: int) -> str:
    return " ".join(rng.choice(COMMON) if rng.random() < 0.15 else rng.choice(FILLER) for _ in range(k))


def measure(user, queries: tuple, rounds: int, scan_rounds: int) -> dict:
    """The page's search (count, first page, snippets) per query, and the icontains scan of the same."""
    fts_times, scan_times, hits = [], [], {}
    for q in queries:
        page_of(user, q)  # warm the plan and the cache
        times, (count, ids) = timed(lambda q=q: page_of(user, q), rounds)
        fts_times += times
        times, scan_count = timed(lambda q=q: icontains_scan(user, q), scan_rounds)
        scan_times += times
        hits[q] = {"fts": matches(user, q), "listed": count, "icontains": scan_count, "first_page": len(ids)}
    return {"fts": summary_ms(fts_times), "icontains": summary_ms(scan_times), "hits": hits}


def page_of(user, q: str) -> tuple[int, list]:
    page = Paginator(selectors.sessions_for(user, q=q, scope="all"), PAGE_SIZE).get_page(1)
    ids = [s.pk for s in page]
    search.snippets(ids, q)
    return page.paginator.count, ids


def matches(user, q: str) -> int:
    """Every full-text match (not timed): the list shows at most search.RANKED_MATCHES of them."""
    sessions = Session.objects.filter(account_id=user.account_id)
    if connection.vendor != "postgresql":
        return search.search(sessions, q).count()
    return sessions.filter(search_vector=SearchQuery(q, search_type="websearch", config=search.CONFIG)).count()


def icontains_scan(user, q: str) -> int:
    """The SQLite fallback's query run on PostgreSQL: every term as icontains over the session and its steps."""
    qs = Session.objects.filter(account_id=user.account_id)
    for term, excluded in search._parse(q):
        qs = qs.exclude(search._matches(term)) if excluded else qs.filter(search._matches(term))
    page = Paginator(qs.order_by("-created_at"), PAGE_SIZE).get_page(1)
    list(page)
    return page.paginator.count


def _report(report: Report, n_sessions: int, steps: int, results: dict) -> None:
    report.figures = {"sessions": n_sessions, "steps": steps, **results}
    every = [hits for r in results.values() for hits in r["hits"].values()]
    for kind, r in results.items():
        f, s = r["fts"], r["icontains"]
        report.row(f"{kind}: fts p50 / p95", f"{f['p50_ms']} / {f['p95_ms']} ms over {f['n']} runs")
        report.row(f"{kind}: icontains p50 / p95", f"{s['p50_ms']} / {s['p95_ms']} ms over {s['n']} runs")
        report.row(
            f"{kind}: hits fts / icontains",
            ", ".join(f"{q}: {h['fts']}/{h['icontains']}" for q, h in r["hits"].items()),
        )
        report.row(
            f"{kind}: listed (ranked)",
            ", ".join(f"{q}: {h['listed']}" for q, h in r["hits"].items()),
        )
    worst = max(r["fts"]["p95_ms"] or 1e9 for r in results.values())
    report.target("search_p95_ms", f"<= {TARGET_P95_MS} ms", worst, worst <= TARGET_P95_MS)
    report.target("every_query_finds", "> 0 hits", min(h["fts"] for h in every), all(h["fts"] > 0 for h in every))
