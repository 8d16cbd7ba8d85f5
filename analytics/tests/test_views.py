"""Owner dashboard, CSV export and baseline pages: figures, roles, tenancy."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

import analytics.demo
from accounts import demo as accounts_demo
from analytics.models import BaselineEntry
from escalations.tests.factories import claimed_escalation
from tests.support.htmx import toast

pytestmark = pytest.mark.django_db

URL = "/analytics/escalations/"


@pytest.fixture
def demo():
    demo = accounts_demo.seed()
    analytics.demo.seed(demo)
    return demo


@pytest.fixture
def three_actions(engineer, senior):
    return [claimed_escalation(engineer, senior, action_after_s=delay) for delay in (30, 60, 180)]


def _baseline(user, minutes: float, ref: str = "T-1") -> BaselineEntry:
    opened = timezone.now() - timedelta(hours=3)
    return BaselineEntry.objects.create(
        account=user.account,
        recorded_by=user,
        ticket_ref=ref,
        opened_at=opened,
        first_action_at=opened + timedelta(minutes=minutes),
    )


def test_demo_owner_dashboard_shows_chart_tables_baseline_and_savings(demo, client_for):
    owner = demo["northwind"][1]["owner"]

    response = client_for(owner).get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    for testid in ("kpi-ttfa-avg", "kpi-ttfa-median", "kpi-ttfa-p95", "trend-chart", "trend-table", "per-tech-table"):
        assert f'data-testid="{testid}"' in body
    assert "<polyline" in body and "<rect" in body
    assert "Sam Patel" in body and "Rita Gomez" in body
    assert body.count('data-testid="baseline-entry"') == 14  # 8 escalation + 6 ticket-note entries
    assert 'data-testid="savings-baseline"' in body
    assert 'data-testid="savings-in-product"' in body
    assert 'data-testid="savings-minutes"' in body
    assert 'data-testid="savings-hours-month"' in body
    assert "Chris Doyle" not in body


def test_dashboard_shows_exact_figures_for_the_period(owner, three_actions, client_for):
    body = client_for(owner).get(URL + "?period=7d").content.decode()

    assert 'data-period="7d"' in body
    assert "1 min 30 s" in body  # average 90 s
    assert "1 min 00 s" in body  # median 60 s
    assert "3 min 00 s" in body  # p95 180 s
    assert "3 / 3" in body


def test_dashboard_without_baseline_explains_what_is_missing(owner, three_actions, client_for):
    body = client_for(owner).get(URL).content.decode()

    assert 'data-testid="savings-missing"' in body
    assert "manual stopwatch baseline" in body
    assert 'data-testid="savings-minutes"' not in body
    assert "hrs saved" not in body


def test_savings_panel_shows_both_inputs_and_their_difference(owner, senior, three_actions, client_for):
    _baseline(senior, minutes=6)

    body = client_for(owner).get(URL).content.decode()

    assert 'data-testid="savings-panel"' in body
    assert "6 min 00 s" in body  # baseline input
    assert "1 min 30 s" in body  # in-product input
    assert "4.5 min" in body  # minutes recovered per escalation


def test_htmx_period_change_returns_only_the_figures(owner, three_actions, client_for):
    response = client_for(owner).get(URL + "?period=90d", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="analytics-figures"')
    assert 'data-period="90d"' in body
    assert "<html" not in body
    assert "baseline-form" not in body


@pytest.mark.parametrize("path", [URL + "?period=1d", URL + "export.csv?period=1d"])
def test_unknown_period_is_a_400_naming_the_allowed_values(owner, client_for, path):
    response = client_for(owner).get(path)

    assert response.status_code == 400
    assert "period must be one of 7d, 30d, 90d" in response.content.decode()
    assert toast(response)["message"] == "period must be one of 7d, 30d, 90d"


@pytest.mark.parametrize("path", [URL, URL + "export.csv"])
def test_viewer_gets_403_naming_the_role(viewer, client_for, path):
    response = client_for(viewer).get(path)

    assert response.status_code == 403
    assert "engineer or admin role required" in response.content.decode()


@pytest.mark.parametrize("path", [URL, URL + "export.csv"])
def test_engineer_may_see_the_metrics(engineer, three_actions, client_for, path):
    assert client_for(engineer).get(path).status_code == 200


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_outsider_sees_only_their_own_zero_figures(outsider, three_actions, senior, client_for):
    _baseline(senior, minutes=7, ref="NW-SECRET")

    body = client_for(outsider).get(URL).content.decode()

    assert "0 / 0" in body
    assert "Sam Senior" not in body
    assert "NW-SECRET" not in body
    assert "No baseline entries yet" in body


@pytest.mark.parametrize("path", [URL, URL + "export.csv"])
def test_dashboard_and_export_refuse_post(owner, client_for, path):
    assert client_for(owner).post(path).status_code == 405


def test_csv_export_lists_the_periods_escalations(owner, three_actions, client_for):
    response = client_for(owner).get(URL + "export.csv?period=30d")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="escalation-metrics-30d.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "handoff_id",
        "session_id",
        "domain",
        "escalated_at",
        "claimed_at",
        "claimer",
        "time_to_claim_s",
        "first_action_at",
        "ttfa_s",
        "seconds_to_first_action",
    ]
    assert sorted(float(row[8]) for row in rows[1:]) == [30, 60, 180]
    assert [row[9] for row in rows[1:]] == [row[8] for row in rows[1:]]
    assert {row[0] for row in rows[1:]} == {str(h.pk) for h in three_actions}


def test_summary_csv_uses_the_original_field_names(owner, three_actions, client_for):
    response = client_for(owner).get(URL + "export.csv?period=30d&rows=summary")

    header, values = list(csv.reader(io.StringIO(response.content.decode())))
    summary = dict(zip(header, values, strict=True))
    assert summary["avg_seconds_to_first_action"] == "90.0"
    assert summary["median_seconds_to_first_action"] == "60.0"
    assert summary["p95_seconds_to_first_action"] == "180.0"
    assert summary["n_handoffs_claimed"] == "3"


def test_csv_export_neutralises_formula_names(owner, engineer, senior, client_for):
    senior.name = "=HYPERLINK(1)"
    senior.save()
    claimed_escalation(engineer, senior, action_after_s=20)

    rows = list(csv.reader(io.StringIO(client_for(owner).get(URL + "export.csv").content.decode())))

    assert rows[1][5] == "'=HYPERLINK(1)"


def test_outsider_export_has_only_the_header(outsider, three_actions, client_for):
    rows = list(csv.reader(io.StringIO(client_for(outsider).get(URL + "export.csv").content.decode())))

    assert len(rows) == 1


class TestBaselinePages:
    CREATE = URL + "baseline/"

    def _form(self, **overrides):
        t0 = timezone.now() - timedelta(hours=2)
        data = {
            "ticket_ref": "T-100",
            "opened_at": t0.strftime("%Y-%m-%dT%H:%M:%S"),
            "first_action_at": (t0 + timedelta(minutes=7)).strftime("%Y-%m-%dT%H:%M:%S"),
            "note": "Called the junior first",
        }
        return {**data, **overrides}

    def test_engineer_records_a_baseline_entry(self, engineer, client_for):
        response = client_for(engineer).post(self.CREATE, self._form())

        assert response.status_code == 302
        entry = BaselineEntry.objects.get()
        assert (entry.account, entry.recorded_by, entry.ticket_ref, entry.seconds) == (
            engineer.account,
            engineer,
            "T-100",
            420,
        )

    def test_t1_before_t0_is_a_400_that_keeps_the_input(self, owner, client_for):
        form = self._form()
        form["first_action_at"], form["opened_at"] = form["opened_at"], form["first_action_at"]

        response = client_for(owner).post(self.CREATE, form)

        assert response.status_code == 400
        body = response.content.decode()
        assert "T1 (first diagnostic action) must be after T0" in body
        assert 'value="T-100"' in body
        assert not BaselineEntry.objects.exists()

    def test_outsider_records_into_their_own_account(self, outsider, senior, client_for):
        _baseline(senior, 5, ref="NW-1")

        assert client_for(outsider).post(self.CREATE, self._form(ticket_ref="CO-1")).status_code == 302
        entry = BaselineEntry.objects.get(ticket_ref="CO-1")
        assert entry.account == outsider.account
        body = client_for(outsider).get(URL).content.decode()
        assert "CO-1" in body and "NW-1" not in body

    def test_missing_times_are_a_400(self, owner, client_for):
        response = client_for(owner).post(self.CREATE, {"ticket_ref": "T-1"})

        assert response.status_code == 400
        assert "This field is required" in response.content.decode()

    def test_viewer_cannot_record(self, viewer, client_for):
        response = client_for(viewer).post(self.CREATE, self._form())

        assert response.status_code == 403
        assert "engineer or admin role required" in response.content.decode()
        assert not BaselineEntry.objects.exists()

    def test_get_after_a_failed_post_goes_back_to_the_form_not_a_bare_405(self, owner, client_for):
        response = client_for(owner).get(self.CREATE)

        assert response.status_code == 302
        assert response["Location"] == URL + "#baseline-heading"

    def test_entry_from_the_time_saved_page_returns_there(self, engineer, client_for):
        form = self._form(kind="ticket_notes", return_to="time-saved")

        response = client_for(engineer).post(self.CREATE, form)

        assert (response.status_code, response["Location"]) == (302, "/analytics/time-saved/")
        assert BaselineEntry.objects.get().kind == "ticket_notes"

    def test_return_to_is_never_an_address_from_the_request(self, engineer, client_for):
        response = client_for(engineer).post(self.CREATE, self._form(return_to="https://evil.test/"))

        assert response["Location"] == URL

    def test_recorder_deletes_own_entry(self, engineer, client_for):
        entry = _baseline(engineer, 5)

        response = client_for(engineer).post(f"{URL}baseline/{entry.pk}/delete/")

        assert response.status_code == 302
        assert not BaselineEntry.objects.exists()

    def test_owner_deletes_a_colleagues_entry(self, owner, engineer, client_for):
        entry = _baseline(engineer, 5)

        assert client_for(owner).post(f"{URL}baseline/{entry.pk}/delete/").status_code == 302
        assert not BaselineEntry.objects.exists()

    def test_engineer_cannot_delete_a_colleagues_entry(self, engineer, senior, client_for):
        entry = _baseline(senior, 5)

        response = client_for(engineer).post(f"{URL}baseline/{entry.pk}/delete/")

        assert response.status_code == 403
        assert BaselineEntry.objects.exists()

    def test_viewer_cannot_delete(self, viewer, senior, client_for):
        entry = _baseline(senior, 5)

        assert client_for(viewer).post(f"{URL}baseline/{entry.pk}/delete/").status_code == 403
        assert BaselineEntry.objects.exists()

    def test_deleting_another_accounts_entry_is_404(self, outsider, senior, client_for):
        entry = _baseline(senior, 5)

        assert client_for(outsider).post(f"{URL}baseline/{entry.pk}/delete/").status_code == 404
        assert BaselineEntry.objects.exists()

    def test_bad_uuid_is_404(self, owner, client_for):
        assert client_for(owner).post(f"{URL}baseline/not-a-uuid/delete/").status_code == 404

    def test_delete_by_get_is_not_allowed(self, senior, client_for):
        entry = _baseline(senior, 5)

        assert client_for(senior).get(f"{URL}baseline/{entry.pk}/delete/").status_code == 405
