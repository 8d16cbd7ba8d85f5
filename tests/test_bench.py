"""The bench commands run end to end on small data (no timing assertions: figures and correctness only)."""

import importlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

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
def test_bench_metrics_dashboard_equals_the_naive_recompute_over_many_accounts():
    result = run_bench(
        "bench_metrics", "--handoffs", "900", "--accounts", "3", "--largest-share", "0.5", "--days", "120",
        "--rounds", "1",
    )  # fmt: skip
    figures = result["figures"]
    assert (figures["handoffs"], figures["largest_account_handoffs"]) == (900, 450)
    assert set(figures["periods"]) == {"7d", "30d", "90d"}
    in_90d = figures["periods"]["90d"]["n_claimed"]
    assert figures["periods"]["7d"]["n_claimed"] < figures["periods"]["30d"]["n_claimed"] < in_90d < 450
    assert 0 < figures["report_30d"]["n_handoffs_with_action"] < figures["report_30d"]["n_handoffs_claimed"]
    assert {t["name"] for t in result["targets"]} == {"dashboard_p50_ms", "naive_over_dashboard"}
    assert result["machine"]["cpu_count"] >= 1
    assert result["machine"]["load_avg_start"] >= 0 and result["machine"]["load_avg_end"] >= 0


@pytest.mark.django_db
def test_bench_metrics_check_refuses_a_dashboard_that_differs_from_the_recompute():
    from bench.management.commands.bench_metrics import account_sizes, check_same

    assert account_sizes(1000, 5, 0.2) == [200, 200, 200, 200, 200]
    assert account_sizes(10, 4, 0.5) == [5, 2, 2, 1]
    naive = {"report": {"ttfa_avg_s": 10.0}, "per_tech": {}, "per_domain": {}, "weeks": []}
    figures = {"report": {"ttfa_avg_s": 10.05}, "per_tech": [], "per_domain": [], "weeks": []}
    check_same(figures, naive, "30d")  # within rounding
    figures["report"]["ttfa_avg_s"] = 10.3
    with pytest.raises(CommandError, match="30d report ttfa_avg_s"):
        check_same(figures, naive, "30d")
    figures = {**figures, "report": {"ttfa_avg_s": 10.0}, "per_tech": [{"claimer_id": "x", "n_claimed": 1}]}
    with pytest.raises(CommandError, match="per_tech: groups"):
        check_same(figures, naive, "30d")


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
    assert result["figures"]["workers"] == 4  # one process per claimer


@pytest.mark.django_db(transaction=True)
def test_bench_claim_with_fewer_workers_than_claimers_and_tokens_still_has_one_winner():
    result = run_bench("bench_claim", "--claimers", "5", "--rounds", "2", "--workers", "2", "--auth", "token")
    assert result["figures"]["statuses"] == {"200": 2, "409": 8}
    assert result["figures"]["rounds_with_one_winner"] == 2
    assert (result["figures"]["workers"], result["figures"]["auth"]) == (2, "token")
    assert result["figures"]["cpu_per_claim"]["n"] == 10
    assert result["figures"]["queries"]["409"] <= 2  # token (cached or not) and the handoff


def test_bench_claim_deals_users_over_workers():
    from bench.management.commands.bench_claim import _shares

    assert _shares([1, 2, 3, 4, 5], 2) == [[1, 3, 5], [2, 4]]
    assert _shares([1, 2, 3], 0) == [[1], [2], [3]]
    assert _shares([1, 2], 8) == [[1], [2]]


def test_bench_forwards_only_changed_options_to_the_child():
    from bench.management.commands.bench_claim import Command

    command = Command()
    command.create_parser("manage.py", "bench_claim")
    assert command._forwarded({"claimers": 100, "rounds": 5}) == ["--rounds", "5"]


@pytest.mark.django_db
def test_bench_palette_finds_results_in_the_generated_account():
    result = run_bench("bench_palette", "--sessions", "300", "--flows", "50", "--escalations", "5", "--rounds", "1")
    per_query = result["figures"]["per_query"]
    assert per_query["outlook"]["results"] > 0
    assert per_query["zzyzx nothing"]["results"] == 0
    assert {t["name"] for t in result["targets"]} == {"palette_p95_ms"}


@pytest.mark.django_db
def test_bench_runs_renders_the_grid_page():
    result = run_bench("bench_runs", "--targets", "6", "--items", "4", "--rounds", "2", "--skip-live")
    assert result["figures"]["grid"] == "6 x 4"
    assert result["figures"]["render"]["n"] == 2 and result["figures"]["render"]["bytes"] > 0
    assert [t["name"] for t in result["targets"]] == ["render_p95_ms"]


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
    if connection.vendor == "sqlite":  # both sides are then icontains over the stored search text
        assert all(h["fts"] == h["icontains"] for h in figures["search"]["hits"].values())
    else:  # websearch matches every word anywhere, so it finds at least the exact single-word hits
        assert figures["search"]["hits"]["vpn"]["fts"] >= figures["search"]["hits"]["vpn"]["icontains"] > 0
    assert sum(h["fts"] for h in figures["search"]["hits"].values()) > 0


@pytest.mark.django_db
def test_bench_search_finds_narrow_and_broad_queries_on_small_data():
    result = run_bench("bench_search", "--sessions", "120", "--steps", "3", "--rounds", "1")
    figures = result["figures"]
    assert (figures["sessions"], figures["steps"]) == (120, 360)
    for kind in ("narrow", "broad"):
        for q, hits in figures[kind]["hits"].items():
            if connection.vendor == "sqlite" or len(q.split()) == 1:  # one word: the same sessions either way
                assert hits["fts"] == hits["icontains"], q
    assert max(h["fts"] for h in figures["broad"]["hits"].values()) > 60  # broad words are in most sessions
    assert max(h["fts"] for h in figures["narrow"]["hits"].values()) < 60


@pytest.mark.django_db
def test_bench_time_saved_reports_every_source_on_a_small_year():
    result = run_bench("bench_time_saved", "--sessions", "300", "--rounds", "1")
    figures = result["figures"]
    assert (figures["sessions"], figures["escalations"], figures["flow_runs"]) == (300, 60, 30)
    assert figures["notes_exported"] == 200  # two in three sessions
    assert set(figures["hours_by_source"]) == {"escalation", "ticket_notes", "flow"}
    assert figures["hours_by_source"]["ticket_notes"] is not None  # a baseline and exports this month
    assert [t["name"] for t in result["targets"]] == ["report_p95_ms"]
