"""bench_queue: SQL queries of the queue page at 10 and 500 cards, and its render time at 500."""

import random

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from bench.data import bench_account, make_users, seed_claimed_history, seed_open_escalations
from bench.harness import BenchCommand, Report, summary_ms, timed

TARGET_MS = 100
PAGES = {"page": "/escalations/", "rows": "/escalations/queue/rows/"}


class Command(BenchCommand):
    help = "Count the queue page's SQL queries at 10 and 500 cards and time its render at 500."
    bench_name = "queue"

    def add_bench_arguments(self, parser):
        parser.add_argument("--small", type=int, default=10, help="cards in the small queue")
        parser.add_argument("--large", type=int, default=500, help="cards in the large queue")
        parser.add_argument("--rounds", type=int, default=40, help="timed renders of the large page")
        parser.add_argument(
            "--history", type=int, default=2000, help="claimed escalations behind the page's 30d stat card"
        )

    def run_bench(self, report: Report, **opts) -> None:
        now = timezone.now()
        counts, clients = {}, {}
        for size in (opts["small"], opts["large"]):
            account = bench_account(f"Bench queue {size}")
            seed_claimed_history(account, opts["history"], now, random.Random(size))
            escalators = make_users(account, Role.ENGINEER, 5, "escalator")
            seed_open_escalations(account, escalators, size, now)
            (senior,) = make_users(account, Role.ENGINEER, 1, "reader")
            client = Client()
            client.force_login(senior)
            clients[size] = client
            counts[size] = {name: _query_count(client, url) for name, url in PAGES.items()}
        large = clients[opts["large"]]
        times = {
            name: summary_ms(timed(lambda url=url: _get(large, url), opts["rounds"])[0]) for name, url in PAGES.items()
        }
        report.figures = {"queries": counts, "render_at_large": times, "history": opts["history"]}
        for size, by_page in counts.items():
            report.row(f"queries at {size} cards", ", ".join(f"{k} {v}" for k, v in by_page.items()))
        for name, stats in times.items():
            report.row(f"{name} at {opts['large']}: p50 / p95", f"{stats['p50_ms']} / {stats['p95_ms']} ms")
        same = counts[opts["small"]] == counts[opts["large"]]
        report.target("equal_query_counts", "equal at 10 and 500", "equal" if same else "differ", same)
        p95 = times["page"]["p95_ms"]
        report.target("page_p95_ms_at_500", f"<= {TARGET_MS} ms", p95, p95 <= TARGET_MS)


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _query_count(client: Client, url: str) -> int:
    _get(client, url)  # first request pays one-off costs (session, content types)
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries)
