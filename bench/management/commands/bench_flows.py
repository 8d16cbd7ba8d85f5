"""bench_flows: answering a flow node, library search over many flows, validating and publishing a big flow.

- answer: the htmx POST /flows/sessions/{id}/answer/ through the full middleware (server time,
  Django test client), node after node along a long published flow, panel and OOB fragments rendered.
- library search: the library page's query (selectors.library_page: count, first page, the page's 30-day stats)
  for several queries over `--flows` published flows of `--nodes` nodes, beside a plain
  `search_text icontains` scan with the same paginator.
- publish: services.publish of a `--publish-nodes`-node draft (validation, links, new version).
"""

import random
import time

from django.core.paginator import Paginator
from django.db import connection
from django.test import Client

from accounts.models import Role
from bench.data import bench_account, make_users
from bench.flows_data import chain_graph, seed_library
from bench.harness import BenchCommand, Report, summary_ms, timed
from flowpilot import services as session_services
from flows import runner, selectors, services
from flows.models import Flow
from flows.views import PAGE_SIZE

TARGET_ANSWER_P95_MS = 50
TARGET_SEARCH_P95_MS = 100
TARGET_PUBLISH_MS = 200
QUERIES = ("vpn", "printer spooler", "password reset mfa", "outlook profile corrupt", "bitlocker recovery key")
QUERIES += ("certificate expired", "mapped drive gpo", "slow boot", "teams calendar permission", "dns")
# The words above are in every flow of the bench library (54 words, ~75 per flow): each query matches
# 34-70% of it, the worst case of a ranked search. A real library's searches name a product or an error
# code found in a few flows; these are timed and reported apart (the target stays on the broad ones).
NARROW = ("meraki vpn", "veeam backup", "0x80070643 update", "intune", "fortigate firewall")


class Command(BenchCommand):
    help = "Answer flow nodes, search a big flow library (FTS vs icontains), validate and publish a 500-node flow."
    bench_name = "flows"

    def add_bench_arguments(self, parser):
        parser.add_argument("--flows", type=int, default=10_000, help="published flows in the library")
        parser.add_argument("--nodes", type=int, default=10, help="nodes per library flow")
        parser.add_argument("--answers", type=int, default=40, help="nodes answered (timed)")
        parser.add_argument("--search-rounds", type=int, default=2, help="timed runs of each query")
        parser.add_argument("--publish-nodes", type=int, default=500)
        parser.add_argument("--publish-rounds", type=int, default=10)
        parser.add_argument("--seed", type=int, default=15)

    def run_bench(self, report: Report, **opts) -> None:
        rng = random.Random(opts["seed"])
        account = bench_account("Bench flows")
        (owner,) = make_users(account, Role.OWNER, 1, "owner")
        (engineer,) = make_users(account, Role.ENGINEER, 1, "engineer")
        nodes = seed_library(account, owner, opts["flows"], opts["nodes"], rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        report.row("library", f"{opts['flows']} published flows, {nodes} nodes")
        answer = answer_phase(owner, engineer, opts["answers"], rng)
        search = search_phase(engineer, opts["search_rounds"], QUERIES)
        search["narrow"] = search_phase(engineer, opts["search_rounds"], NARROW)
        publish = publish_phase(owner, opts["publish_nodes"], opts["publish_rounds"], rng)
        _report(report, opts, nodes, answer, search, publish)


def answer_phase(owner, engineer, answers: int, rng: random.Random) -> dict:
    """Answer `answers` nodes through the runner's htmx endpoint, a fresh session every 20 answers."""
    graph = chain_graph(22, rng, questions_every=3)
    flow = services.create_flow(engineer, title="Long runner", problem_domain="networking", graph=graph)
    services.publish(flow, owner)
    flow.refresh_from_db()
    client = Client(headers={"HX-Request": "true"})
    client.force_login(engineer)
    durations, statuses, session, key = [], {}, None, None
    for i in range(answers + 1):
        if key is None or key == "n20":
            session = session_services.open_session(engineer, problem_summary=f"VPN drops {i}")
            run = runner.start_run(session, engineer, flow)
            key = run.current
        node = next(n for n in graph["nodes"] if n["key"] == key)
        data = {"node": key, "answer": "Yes"} if node["type"] == "question" else {"node": key, "status": "done"}
        started_at = time.perf_counter()
        response = client.post(f"/flows/sessions/{session.pk}/answer/", data)
        if i:  # the first request warms up the URL resolver and templates
            durations.append(time.perf_counter() - started_at)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        key = runner.latest_run(session).current
    return {"latency": summary_ms(durations), "statuses": statuses}


def search_phase(user, rounds: int, queries: tuple[str, ...]) -> dict:
    """Each query through the library's queryset and paginator, beside an icontains scan."""

    def library(q: str):
        page = selectors.library_page(user, 1, per_page=PAGE_SIZE, q=q)
        return page.paginator.count, [f.pk for f in page]

    def scan(q: str):
        qs = Flow.objects.filter(account_id=user.account_id, search_text__icontains=q.lower())
        page = Paginator(qs.exclude(status=Flow.Status.ARCHIVED).order_by("title"), PAGE_SIZE).get_page(1)
        return page.paginator.count, [f.pk for f in page]

    fts_times, scan_times, hits = [], [], {}
    for q in queries:
        library(q)  # warm the plan
        times, (count, _) = timed(lambda q=q: library(q), rounds)
        fts_times += times
        times, (scan_count, _) = timed(lambda q=q: scan(q), rounds)
        scan_times += times
        hits[q] = {"fts": count, "icontains": scan_count}
    return {"fts": summary_ms(fts_times), "icontains": summary_ms(scan_times), "hits": hits}


def publish_phase(owner, n_nodes: int, rounds: int, rng: random.Random) -> dict:
    """services.publish of a big draft, `rounds` times (each publish freezes the next version)."""
    flow = services.create_flow(owner, title="Big procedure", graph=chain_graph(n_nodes, rng))
    times, version = timed(lambda: services.publish(flow, owner), rounds)
    return {"latency": summary_ms(times), "nodes": len(version.graph["nodes"]), "versions": version.number}


def _report(report: Report, opts: dict, nodes: int, answer: dict, search: dict, publish: dict) -> None:
    a, f, s, p = answer["latency"], search["fts"], search["icontains"], publish["latency"]
    report.figures = {"flows": opts["flows"], "nodes": nodes, "answer": answer, "search": search, "publish": publish}
    report.row("answer: requests", f"{a['n']} ({', '.join(f'{k}: {v}' for k, v in answer['statuses'].items())})")
    report.row("answer: p50 / p95 / p99", f"{a['p50_ms']} / {a['p95_ms']} / {a['p99_ms']} ms")
    report.row("search (FTS): p50 / p95", f"{f['p50_ms']} / {f['p95_ms']} ms over {f['n']} runs")
    report.row("search (icontains): p50 / p95", f"{s['p50_ms']} / {s['p95_ms']} ms")
    report.row(
        "search hits fts / icontains", ", ".join(f"{q}: {h['fts']}/{h['icontains']}" for q, h in search["hits"].items())
    )
    n, nf, ns = search["narrow"], search["narrow"]["fts"], search["narrow"]["icontains"]
    report.row("narrow search (FTS): p50 / p95", f"{nf['p50_ms']} / {nf['p95_ms']} ms over {nf['n']} runs")
    report.row("narrow search (icontains): p50 / p95", f"{ns['p50_ms']} / {ns['p95_ms']} ms")
    narrow_hits = ", ".join(f"{q}: {h['fts']}/{h['icontains']}" for q, h in n["hits"].items())
    report.row("narrow hits fts / icontains", narrow_hits)
    report.row("publish: nodes / p50 / max", f"{publish['nodes']} / {p['p50_ms']} / {p['max_ms']} ms")
    answered_ok = answer["statuses"] == {200: a["n"]}
    report.target(
        "answer_p95_ms",
        f"<= {TARGET_ANSWER_P95_MS} ms",
        a["p95_ms"],
        answered_ok and (a["p95_ms"] or 1e9) <= TARGET_ANSWER_P95_MS,
    )
    report.target(
        "search_p95_ms", f"<= {TARGET_SEARCH_P95_MS} ms", f["p95_ms"], (f["p95_ms"] or 1e9) <= TARGET_SEARCH_P95_MS
    )
    report.target(
        "publish_max_ms", f"<= {TARGET_PUBLISH_MS} ms", p["max_ms"], (p["max_ms"] or 1e9) <= TARGET_PUBLISH_MS
    )
