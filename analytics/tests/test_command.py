"""`manage.py escalation_metrics --account CODE [--period 30d] [--json]`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("escalation_metrics", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_api_figures(account, engineer, senior):
    for delay in (30, 60, 180):
        claimed_escalation(engineer, senior, action_after_s=delay)

    data = json.loads(_run("--account", "NORTHWIND", "--json"))

    assert (data["ttfa_avg_s"], data["ttfa_median_s"], data["ttfa_p95_s"]) == (90, 60, 180)
    assert (
        data["avg_seconds_to_first_action"],
        data["median_seconds_to_first_action"],
        data["p95_seconds_to_first_action"],
    ) == (90, 60, 180)
    assert data["per_tech"][0]["n_with_action"] == 3


def test_table_output_by_default_and_code_is_case_insensitive(account, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=45)

    text = _run("--account", "northwind", "--period", "7d")

    assert "Northwind MSP (NORTHWIND), last 7d" in text
    assert "claimed escalations      1" in text
    assert "Sam Senior" in text
    assert "needs both a manual baseline" in text


def test_other_account_figures_stay_out(account, other_account, engineer, senior):
    claimed_escalation(engineer, senior, action_after_s=45)

    assert json.loads(_run("--account", "CONTOSO", "--json"))["n_handoffs_claimed"] == 0


def test_unknown_account_is_a_command_error(db):
    with pytest.raises(CommandError, match="No account with code 'NOPE'"):
        _run("--account", "NOPE")


def test_unknown_period_is_a_command_error(account):
    with pytest.raises(CommandError, match="period must be one of 7d, 30d, 90d"):
        _run("--account", "NORTHWIND", "--period", "1d")
