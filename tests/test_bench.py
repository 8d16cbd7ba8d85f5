"""The bench commands run end to end on small data (no timing assertions: figures and correctness only)."""

import importlib
import json
from io import StringIO

import pytest
from django.core.management import call_command

from bench.harness import percentile, summary_ms


def run_bench(name: str, *args: str) -> dict:
    """Run a bench command in-process; the bench app is not installed by the test settings, so by instance."""
    command = importlib.import_module(f"bench.management.commands.{name}").Command()
    out = StringIO()
    call_command(command, "--here", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == f"== {name}"
    return json.loads(lines[-1])


def test_percentile_is_nearest_rank_like_the_metrics():
    values = list(range(1, 21))  # index round(0.95 x 19) = 18
    assert percentile(values, 95) == 19
    assert percentile(values, 50) == 11  # round(9.5) = 10 (banker's rounding keeps even)
    assert percentile([7], 99) == 7


def test_summary_ms_converts_seconds_and_handles_no_samples():
    stats = summary_ms([0.010, 0.020, 0.030])
    assert stats["n"] == 3
    assert stats["p50_ms"] == 20.0
    assert stats["max_ms"] == 30.0
    assert summary_ms([])["p95_ms"] is None


@pytest.mark.django_db
def test_bench_metrics_sql_and_naive_agree_on_generated_history():
    result = run_bench("bench_metrics", "--handoffs", "300", "--rounds", "1", "--naive-rounds", "1")
    report = result["figures"]["report"]
    assert report["n_handoffs_claimed"] == 300
    assert 0 < report["n_handoffs_with_action"] < 300  # about 90% get a first action
    assert result["figures"]["counts"]["activities"] > 300
    assert {t["name"] for t in result["targets"]} == {"sql_p50_ms", "naive_over_sql"}
    assert result["machine"]["cpu_count"] >= 1


@pytest.mark.django_db
def test_bench_queue_query_count_does_not_grow_with_cards():
    result = run_bench("bench_queue", "--small", "2", "--large", "25", "--rounds", "2", "--history", "20")
    queries = result["figures"]["queries"]
    assert queries["2"] == queries["25"]
    equal = next(t for t in result["targets"] if t["name"] == "equal_query_counts")
    assert equal["met"] is True


@pytest.mark.django_db(transaction=True)
def test_bench_claim_has_exactly_one_winner_per_round():
    result = run_bench("bench_claim", "--claimers", "4", "--rounds", "3")
    assert result["figures"]["statuses"] == {"200": 3, "409": 9}
    assert result["figures"]["rounds_with_one_winner"] == 3


def test_bench_forwards_only_changed_options_to_the_child():
    from bench.management.commands.bench_claim import Command

    command = Command()
    command.create_parser("manage.py", "bench_claim")
    assert command._forwarded({"claimers": 50, "rounds": 5}) == ["--rounds", "5"]


@pytest.mark.django_db
def test_bench_flows_answers_searches_and_publishes_on_small_data():
    result = run_bench(
        "bench_flows", "--flows", "40", "--answers", "25", "--search-rounds", "1", "--publish-nodes", "60",
        "--publish-rounds", "2",
    )  # fmt: skip
    figures = result["figures"]
    assert figures["nodes"] == 400
    assert figures["answer"]["statuses"] == {"200": 25}  # every answer accepted, across two runs
    assert figures["publish"] == {**figures["publish"], "nodes": 60, "versions": 2}
    # On SQLite both sides are icontains over the stored search text: the same counts.
    assert all(h["fts"] == h["icontains"] for h in figures["search"]["hits"].values())
    assert sum(h["fts"] for h in figures["search"]["hits"].values()) > 0


@pytest.mark.django_db
def test_bench_search_finds_narrow_and_broad_queries_on_small_data():
    result = run_bench("bench_search", "--sessions", "120", "--steps", "3", "--rounds", "1")
    figures = result["figures"]
    assert (figures["sessions"], figures["steps"]) == (120, 360)
    for kind in ("narrow", "broad"):
        for hits in figures[kind]["hits"].values():
            assert hits["fts"] == hits["icontains"]  # SQLite: the page's search is the icontains path
    assert max(h["fts"] for h in figures["broad"]["hits"].values()) > 60  # broad words are in most sessions
    assert max(h["fts"] for h in figures["narrow"]["hits"].values()) < 60
