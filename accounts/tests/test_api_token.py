"""`POST /api/v1/auth/token/` and the API-wide error shape."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.api import LoginRateThrottle

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_token_for_valid_credentials(engineer):
    response = APIClient().post(URL, {"username": engineer.email, "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40


def test_token_authenticates_later_requests(engineer):
    token = APIClient().post(URL, {"username": engineer.email, "password": "correct-horse-battery"}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/v1/schema/").status_code == 200


def test_token_with_wrong_password_is_a_400_with_detail(engineer):
    response = APIClient().post(URL, {"username": engineer.email, "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["detail"]


def test_token_for_inactive_user_is_refused(engineer):
    engineer.is_active = False
    engineer.save()
    response = APIClient().post(URL, {"username": engineer.email, "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 400


def test_malformed_json_is_a_400_with_detail(db):
    response = APIClient().post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_token_endpoint_rejects_get(db):
    response = APIClient().get(URL)
    assert response.status_code == 405
    assert "detail" in response.json()


def test_token_endpoint_is_throttled_per_ip_with_a_friendly_429(engineer, monkeypatch):
    cache.clear()
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "10/min"})
    client = APIClient()
    codes = [
        client.post(URL, {"username": engineer.email, "password": "x"}, format="json").status_code for _ in range(11)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    response = client.post(URL, {"username": engineer.email, "password": "x"}, format="json")
    assert "Too many requests" in response.json()["detail"]
    cache.clear()


def test_unauthenticated_api_request_is_a_401_with_detail(db):
    response = APIClient().get("/api/v1/queue/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_unknown_api_path_answers_json_404(client_for, engineer):
    response = client_for(engineer).get("/api/v1/nope/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_schema_and_docs_are_served_without_cdn(client_for, engineer):
    client = client_for(engineer)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg" not in docs.content


# --- the cached lookup (API_TOKEN_CACHE_SECONDS; on with Redis, here on the test's local cache) ---


@pytest.fixture
def token_cache(settings):
    cache.clear()
    settings.API_TOKEN_CACHE_SECONDS = 30
    yield
    cache.clear()


def _token_client(user):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _token_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/queue/").status_code == 200
    return sum("authtoken_token" in q["sql"] for q in queries.captured_queries)


def test_cached_token_lookup_skips_the_token_query(token_cache, engineer):
    client = _token_client(engineer)
    assert _token_queries(client) == 1
    assert _token_queries(client) == 0


def test_cached_lookup_is_off_without_a_shared_cache(settings, engineer):
    settings.API_TOKEN_CACHE_SECONDS = 0
    client = _token_client(engineer)
    assert _token_queries(client) == 1
    assert _token_queries(client) == 1


def test_revoked_token_fails_on_the_next_request_despite_the_cache(token_cache, engineer):
    client = _token_client(engineer)
    assert client.get("/api/v1/queue/").status_code == 200
    assert client.delete(URL).status_code == 204
    assert client.get("/api/v1/queue/").status_code == 401


def test_deactivated_user_fails_on_the_next_request_despite_the_cache(token_cache, engineer, admin_user):
    from accounts import services

    client = _token_client(engineer)
    assert client.get("/api/v1/queue/").status_code == 200
    services.set_active(admin_user, engineer, False)
    assert client.get("/api/v1/queue/").status_code == 401


def test_demoted_user_loses_the_write_on_the_next_request_despite_the_cache(token_cache, engineer, admin_user):
    from accounts import services

    client = _token_client(engineer)
    assert client.get("/api/v1/queue/").status_code == 200
    services.change_role(admin_user, engineer, "viewer")
    response = client.post("/api/v1/handoffs/00000000-0000-0000-0000-000000000000/claim/")
    assert response.status_code == 403


def test_user_saved_through_the_orm_is_read_again(token_cache, engineer):
    client = _token_client(engineer)
    assert _token_queries(client) == 1
    engineer.is_active = False
    engineer.save()
    assert client.get("/api/v1/queue/").status_code == 401


def test_a_lookup_racing_a_revocation_cannot_put_the_token_back(token_cache, engineer):
    from rest_framework.authtoken.models import Token

    from accounts import authentication

    token = Token.objects.create(user=engineer)
    token.delete()  # the revocation's tombstone
    # A request that read the token just before the delete committed now tries to cache it.
    authentication._remember(token.key, (engineer, token))
    assert authentication._cached(token.key) == authentication.REVOKED


def test_cached_user_leaves_its_password_hash_out_of_the_cache(token_cache, engineer):
    from rest_framework.authtoken.models import Token

    from accounts import authentication

    token = Token.objects.create(user=engineer)
    pair = Token.objects.select_related("user").get(key=token.key)
    authentication._remember(token.key, (pair.user, pair))
    user, cached_token = authentication._cached(token.key)
    assert "password" not in user.__dict__ and "password" in user.get_deferred_fields()
    assert user.password == engineer.password  # read from the database when asked
    assert "password" in pair.user.__dict__  # the request's own user is untouched
    assert pair._state.fields_cache["user"] is pair.user  # and so is its token
    assert cached_token.key == token.key and cached_token.user_id == engineer.pk
    user.name = "Renamed"
    user.save()  # saves the loaded fields only
    engineer.refresh_from_db()
    assert engineer.check_password("correct-horse-battery")
