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
