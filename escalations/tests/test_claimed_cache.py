"""Late claimers are answered from the cache once a claim has committed (escalations.claimed)."""

import pytest
from django.core.cache import cache

from escalations import claimed, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed_by_senior(escalation, senior, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.claim(escalation, senior)
    return escalation


def claim_url(handoff) -> str:
    return f"/api/v1/handoffs/{handoff.pk}/claim/"


def test_the_committed_claim_is_remembered(claimed_by_senior, senior):
    known = claimed.lookup(claimed_by_senior.pk)
    assert (known.claimer_id, known.claimer_name) == (str(senior.pk), "Sam Senior")
    assert known.account_id == str(claimed_by_senior.account_id)


def test_a_rolled_back_claim_is_not_remembered(escalation, senior, django_capture_on_commit_callbacks):
    escalation.session.status = "resolved"
    escalation.session.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.Conflict):
        services.claim(escalation, senior)
    assert claimed.lookup(escalation.pk) is None


def test_a_late_claim_is_answered_without_reading_the_handoff(
    claimed_by_senior, senior2, client_for, django_assert_num_queries
):
    client = client_for(senior2)
    with django_assert_num_queries(2):  # the session and its user: no handoff, no claimer
        response = client.post(claim_url(claimed_by_senior))
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Already claimed by Sam Senior ") and body["detail"].endswith("s ago")
    assert body["claimed_by"]["name"] == "Sam Senior" and body["claimed_at"]


def test_the_cached_answer_is_the_databases(claimed_by_senior, senior2, api_for):
    from_cache = api_for(senior2).post(claim_url(claimed_by_senior)).json()
    cache.clear()
    from_database = api_for(senior2).post(claim_url(claimed_by_senior)).json()
    assert from_cache == from_database


def test_the_page_pick_up_is_answered_from_the_cache_too(claimed_by_senior, senior2, client_for):
    response = client_for(senior2).post(f"/escalations/{claimed_by_senior.pk}/claim/", HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Sam Senior" in response["HX-Trigger"]


def test_another_account_still_gets_404(claimed_by_senior, outsider, api_for, client_for):
    assert api_for(outsider).post(claim_url(claimed_by_senior)).status_code == 404
    assert client_for(outsider).post(f"/escalations/{claimed_by_senior.pk}/claim/").status_code == 404


def test_a_viewer_still_gets_403(claimed_by_senior, viewer, api_for, client_for):
    assert api_for(viewer).post(claim_url(claimed_by_senior)).status_code == 403
    assert client_for(viewer).post(f"/escalations/{claimed_by_senior.pk}/claim/").status_code == 403


def test_the_escalator_still_hears_withdraw_instead(claimed_by_senior, engineer, api_for):
    response = api_for(engineer).post(claim_url(claimed_by_senior))
    assert response.status_code == 400 and "withdraw it instead" in response.json()["detail"]


def test_after_a_release_late_claimers_hear_it_was_released(
    claimed_by_senior, senior, senior2, api_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.release(claimed_by_senior, senior)
    assert claimed.lookup(claimed_by_senior.pk) is None
    response = api_for(senior2).post(claim_url(claimed_by_senior))
    assert response.status_code == 409 and "released back to the queue" in response.json()["detail"]


def test_with_the_cache_down_claims_go_the_database_way(claimed_by_senior, senior2, api_for, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(claimed.cache, "get", down)
    monkeypatch.setattr(claimed.cache, "set", down)
    response = api_for(senior2).post(claim_url(claimed_by_senior))
    assert response.status_code == 409 and response.json()["claimed_by"]["name"] == "Sam Senior"
