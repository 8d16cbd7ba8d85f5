"""`/analytics/time-saved/`, its CSV, the API and the command: one report, roles and tenancy."""

import csv
import io
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import BaselineEntry, EmailPreference
from analytics.time_saved import parse_month, time_saved_report
from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db

PAGE = "/analytics/time-saved/"
CSV = PAGE + "export.csv"
API = "/api/v1/analytics/time-saved/"


def _baseline(user, kind="escalation", minutes=7):
    opened = timezone.now() - timedelta(days=40)
    BaselineEntry.objects.create(
        account=user.account,
        recorded_by=user,
        kind=kind,
        opened_at=opened,
        first_action_at=opened + timedelta(minutes=minutes),
    )


@pytest.fixture
def two_claimers(engineer, senior, senior2):
    """This month: Sam saves 420 - 60 = 360 s, Rita 420 - 120 = 300 s."""
    _baseline(senior)
    now = timezone.now()
    claimed = max(now - timedelta(minutes=30), timezone.localtime(now).replace(day=1, hour=0, minute=0, second=1))
    claimed_escalation(engineer, senior, claimed_at=claimed, action_after_s=60)
    claimed_escalation(engineer, senior2, claimed_at=claimed, action_after_s=120)
    return now


def test_owner_page_shows_every_source_the_trend_and_the_method(owner, two_claimers, client_for):
    response = client_for(owner).get(PAGE)

    assert response.status_code == 200
    body = response.content.decode()
    report = time_saved_report(owner.account_id, parse_month(None))
    assert f"{report['hours_saved']:.2f} h" in body
    for key in ("escalation", "ticket_notes", "flow"):
        assert f'data-testid="ts-source-{key}"' in body
    assert 'data-testid="ts-measure-this"' in body  # no ticket-note baseline yet
    assert 'data-testid="ts-no-flows"' in body
    assert 'name="return_to" value="time-saved"' in body
    assert 'data-testid="ts-trend-table"' in body
    assert "minus its in-product time to first action" in body
    assert 'data-testid="ts-email"' in body


def test_admin_sees_the_account_too(admin_user, two_claimers, client_for, api_for):
    assert api_for(admin_user).get(API).json()["scope"] == "account"
    assert client_for(admin_user).get(PAGE).status_code == 200


def test_engineer_sees_only_their_own_contribution(senior, two_claimers, client_for, api_for):
    data = api_for(senior).get(API).json()
    body = client_for(senior).get(PAGE).content.decode()

    assert data["scope"] == "mine"
    assert data["sources"][0]["inputs"]["escalations_with_first_action"] == 1
    assert 'data-testid="scope-note"' in body
    assert 'data-testid="ts-email"' not in body


def test_viewer_sees_nothing(viewer, two_claimers, client_for, api_for):
    for response in (client_for(viewer).get(PAGE), client_for(viewer).get(CSV), api_for(viewer).get(API)):
        assert response.status_code == 403
    assert "engineer or admin role required" in api_for(viewer).get(API).json()["detail"]


def test_outsider_sees_only_their_own_account(outsider, two_claimers, api_for):
    data = api_for(outsider).get(API).json()

    assert data["hours_saved"] is None
    assert data["sources"][0]["inputs"]["escalations_with_first_action"] == 0


def test_anonymous_is_sent_to_login_or_refused(client):
    assert client.get(PAGE).status_code == 302
    assert APIClient().get(API).status_code in (401, 403)


@pytest.mark.parametrize("period", ["2026-13", "soon", "2999-01"])
def test_bad_period_is_a_clear_400_everywhere(owner, client_for, api_for, period):
    page = client_for(owner).get(PAGE, {"period": period})
    api = api_for(owner).get(API, {"period": period})

    assert page.status_code == 400 and "YYYY-MM" in page.content.decode()
    assert client_for(owner).get(CSV, {"period": period}).status_code == 400
    assert api.status_code == 400 and "YYYY-MM" in api.json()["detail"]


def test_page_api_csv_and_command_give_the_same_numbers(owner, two_claimers, client_for, api_for):
    api = api_for(owner).get(API).json()
    rows = list(csv.reader(io.StringIO(client_for(owner).get(CSV).content.decode())))
    out = StringIO()
    call_command("time_saved_report", "--account", "northwind", "--json", stdout=out)
    command = json.loads(out.getvalue())

    assert api["hours_saved"] == command["hours_saved"] == 0.18
    assert api["sources"] == command["sources"]
    total = next(row for row in rows if row[0] == "total")
    assert float(total[3]) == api["hours_saved"]
    escalation = next(row for row in rows if row[0] == "source" and row[2] == "escalation")
    assert float(escalation[3]) == api["sources"][0]["hours_saved"]
    assert "0.18 h" in client_for(owner).get(PAGE).content.decode()


def test_csv_is_an_attachment_named_for_the_month_and_scope(senior, client_for):
    response = client_for(senior).get(CSV)

    month = parse_month(None)
    assert response["Content-Disposition"] == f'attachment; filename="time-saved-{month:%Y-%m}-mine.csv"'
    assert next(csv.reader(io.StringIO(response.content.decode()))) == [
        "row",
        "period",
        "source",
        "hours_saved",
        "status",
        "inputs",
        "method",
    ]


def test_command_table_and_month_and_errors(account, two_claimers):
    out = StringIO()
    call_command("time_saved_report", "--account", "NORTHWIND", stdout=out)

    text = out.getvalue()
    assert "Escalation hand-over" in text and "0.18 h" in text
    assert "no number: measure this" in text
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("time_saved_report", "--account", "NORTHWIND", "--month", "2026-99")
    with pytest.raises(CommandError, match="No account"):
        call_command("time_saved_report", "--account", "NOPE")


def test_owner_turns_the_monthly_email_off_and_on(owner, client_for):
    client = client_for(owner)

    assert client.post(PAGE + "email/", {}).status_code == 302
    assert EmailPreference.objects.get(user=owner).monthly_time_saved is False
    client.post(PAGE + "email/", {"monthly_time_saved": "on"})
    assert EmailPreference.objects.get(user=owner).monthly_time_saved is True


def test_engineer_and_viewer_cannot_set_the_monthly_email(senior, viewer, client_for):
    assert client_for(senior).post(PAGE + "email/", {}).status_code == 403
    assert client_for(viewer).post(PAGE + "email/", {}).status_code == 403
    assert not EmailPreference.objects.exists()


def test_email_preference_refuses_get(owner, client_for):
    assert client_for(owner).get(PAGE + "email/").status_code == 405
