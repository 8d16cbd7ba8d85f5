"""`/api/v1/analytics/...`: figures, baseline entries, roles and tenancy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import BaselineEntry
from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db

METRICS = "/api/v1/analytics/escalations/"
BASELINE = "/api/v1/analytics/baseline/"
FIELDS = {
    "period",
    "n_handoffs_claimed",
    "n_handoffs_with_action",
    "ttfa_avg_s",
    "ttfa_median_s",
    "ttfa_p95_s",
    "avg_seconds_to_first_action",
    "median_seconds_to_first_action",
    "p95_seconds_to_first_action",
    "time_to_claim_avg_s",
    "time_to_claim_median_s",
    "time_to_claim_p95_s",
    "metric_definition",
    "baseline",
    "savings",
    "per_tech",
    "per_domain",
}


@pytest.fixture
def three_actions(engineer, senior):
    return [claimed_escalation(engineer, senior, action_after_s=delay) for delay in (30, 60, 180)]


def _entry_payload(minutes: float = 6, **overrides) -> dict:
    t0 = timezone.now() - timedelta(hours=1)
    payload = {
        "ticket_ref": "T-9",
        "opened_at": t0.isoformat(),
        "first_action_at": (t0 + timedelta(minutes=minutes)).isoformat(),
        "note": "",
    }
    return {**payload, **overrides}


def test_metrics_return_the_section_6_fields_and_exact_figures(owner, three_actions, api_for):
    response = api_for(owner).get(METRICS)

    assert response.status_code == 200
    data = response.json()
    assert set(data) == FIELDS
    assert data["period"] == "30d"
    assert (data["n_handoffs_claimed"], data["n_handoffs_with_action"]) == (3, 3)
    assert (data["ttfa_avg_s"], data["ttfa_median_s"], data["ttfa_p95_s"]) == (90, 60, 180)
    # The original system's names (SPEC section 6), same values.
    assert (
        data["avg_seconds_to_first_action"],
        data["median_seconds_to_first_action"],
        data["p95_seconds_to_first_action"],
    ) == (90, 60, 180)
    assert data["baseline"] is None
    assert data["savings"] is None
    assert data["per_tech"][0]["name"] == "Sam Senior"
    assert data["per_domain"][0]["domain"] == "networking"


def test_metrics_with_baseline_carry_savings_and_both_inputs(owner, senior, three_actions, api_for):
    api_for(senior).post(BASELINE, _entry_payload(minutes=6), format="json")

    data = api_for(owner).get(METRICS + "?period=7d").json()

    assert data["baseline"] == {"n_entries": 1, "avg_s": 360}
    assert data["savings"]["baseline_avg_s"] == 360
    assert data["savings"]["in_product_avg_s"] == 90
    assert data["savings"]["minutes_recovered_per_escalation"] == 4.5


@pytest.mark.parametrize("period", ["1d", "30", "year"])
def test_metrics_unknown_period_is_400(owner, api_for, period):
    response = api_for(owner).get(METRICS, {"period": period})

    assert response.status_code == 400
    assert response.json() == {"detail": "period must be one of 7d, 30d, 90d"}


def test_metrics_for_viewer_are_forbidden_naming_the_role(viewer, api_for):
    response = api_for(viewer).get(METRICS)

    assert response.status_code == 403
    assert response.json() == {"detail": "engineer or admin role required"}


def test_metrics_for_engineer_are_allowed(engineer, three_actions, api_for):
    assert api_for(engineer).get(METRICS).json()["n_handoffs_claimed"] == 3


def test_metrics_for_outsider_are_their_own_zeros(outsider, three_actions, api_for):
    data = api_for(outsider).get(METRICS).json()

    assert data["n_handoffs_claimed"] == 0
    assert data["ttfa_avg_s"] is None
    assert data["per_tech"] == []


def test_metrics_need_authentication(client, db):
    assert client.get(METRICS).status_code in (401, 403)


def test_metrics_refuse_post(owner, api_for):
    assert api_for(owner).post(METRICS, {}, format="json").status_code == 405


def test_baseline_create_and_list(engineer, api_for):
    api = api_for(engineer)

    created = api.post(BASELINE, _entry_payload(minutes=5), format="json")

    assert created.status_code == 201
    assert created.json()["seconds"] == 300
    assert created.json()["recorded_by"] == engineer.display_name
    listing = api.get(BASELINE).json()
    assert listing["count"] == 1
    assert listing["results"][0]["ticket_ref"] == "T-9"


@pytest.mark.parametrize(
    ("t0_hours_ago", "span_minutes", "message"),
    [
        (1, -2, "T1 (first diagnostic action) must be after T0"),
        (1, 0, "T1 (first diagnostic action) must be after T0"),
        (30, 25 * 60, "within 24 hours"),
        (1, 120, "cannot be in the future"),
    ],
)
def test_baseline_rejects_bad_times_with_a_clear_400(owner, api_for, t0_hours_ago, span_minutes, message):
    t0 = timezone.now() - timedelta(hours=t0_hours_ago)
    payload = {"opened_at": t0.isoformat(), "first_action_at": (t0 + timedelta(minutes=span_minutes)).isoformat()}

    response = api_for(owner).post(BASELINE, payload, format="json")

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not BaselineEntry.objects.exists()


def test_baseline_unparseable_time_is_400_naming_the_field(owner, api_for):
    response = api_for(owner).post(BASELINE, _entry_payload(opened_at="yesterday"), format="json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("opened_at:")


def test_baseline_missing_fields_are_400(owner, api_for):
    response = api_for(owner).post(BASELINE, {"ticket_ref": "x"}, format="json")

    assert response.status_code == 400
    assert "opened_at" in response.json()["detail"]


def test_baseline_for_viewer_is_forbidden(viewer, api_for):
    api = api_for(viewer)

    assert api.get(BASELINE).status_code == 403
    response = api.post(BASELINE, _entry_payload(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "engineer or admin role required"


def test_baseline_list_is_account_scoped(senior, outsider, api_for):
    api_for(senior).post(BASELINE, _entry_payload(), format="json")

    assert api_for(outsider).get(BASELINE).json()["count"] == 0


def test_baseline_delete_own_and_404_for_another_account(senior, outsider, api_for):
    entry_id = api_for(senior).post(BASELINE, _entry_payload(), format="json").json()["id"]

    assert api_for(outsider).delete(f"{BASELINE}{entry_id}/").status_code == 404
    assert api_for(outsider).get(f"{BASELINE}{entry_id}/").status_code == 404
    assert api_for(senior).delete(f"{BASELINE}{entry_id}/").status_code == 204
    assert not BaselineEntry.objects.exists()


def test_baseline_delete_of_a_colleagues_entry_is_403_for_an_engineer(senior, engineer, api_for):
    entry_id = api_for(senior).post(BASELINE, _entry_payload(), format="json").json()["id"]

    response = api_for(engineer).delete(f"{BASELINE}{entry_id}/")

    assert response.status_code == 403
    assert BaselineEntry.objects.exists()


def test_baseline_bad_uuid_is_404(owner, api_for):
    response = api_for(owner).get(f"{BASELINE}not-a-uuid/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_baseline_put_is_not_allowed(senior, api_for):
    entry_id = api_for(senior).post(BASELINE, _entry_payload(), format="json").json()["id"]

    assert api_for(senior).put(f"{BASELINE}{entry_id}/", _entry_payload(), format="json").status_code == 405


def test_baseline_entries_carry_their_kind(senior, api_for):
    created = api_for(senior).post(BASELINE, _entry_payload(minutes=12, kind="ticket_notes"), format="json")
    default = api_for(senior).post(BASELINE, _entry_payload(minutes=6), format="json")

    assert (created.status_code, created.json()["kind"]) == (201, "ticket_notes")
    assert default.json()["kind"] == "escalation"


def test_unknown_baseline_kind_is_a_400(senior, api_for):
    response = api_for(senior).post(BASELINE, _entry_payload(kind="coffee"), format="json")

    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
