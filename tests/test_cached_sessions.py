"""Sign-in sessions read from the cache and kept in the database (resolutionflow.sessions)."""

import pytest
from django.contrib.sessions.models import Session as StoredSession
from django.core.cache import cache
from django.test import Client

from conftest import PASSWORD
from resolutionflow import sessions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached_sessions(settings):
    settings.SESSION_ENGINE, settings.SESSION_CACHE_SECONDS = "resolutionflow.sessions", 30
    cache.clear()


def signed_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_a_request_reads_its_session_from_the_cache(engineer, django_assert_num_queries):
    client = signed_in(engineer)
    key = client.cookies["sessionid"].value
    assert StoredSession.objects.filter(session_key=key).exists()  # written to the database too
    store = sessions.SessionStore(key)
    with django_assert_num_queries(0):
        assert store["_auth_user_id"] == str(engineer.pk)


def test_a_missing_cache_entry_is_read_from_the_database_and_cached_again(engineer, django_assert_num_queries):
    key = signed_in(engineer).cookies["sessionid"].value
    cache.clear()
    with django_assert_num_queries(1):
        assert sessions.SessionStore(key)["_auth_user_id"] == str(engineer.pk)
    with django_assert_num_queries(0):
        assert sessions.SessionStore(key)["_auth_user_id"] == str(engineer.pk)


def test_a_cached_copy_lives_at_most_session_cache_seconds(settings, engineer, monkeypatch):
    settings.SESSION_CACHE_SECONDS = 7
    timeouts = []
    real_set = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, value, timeout=None: (timeouts.append(timeout), real_set(key, value, timeout))
    )
    signed_in(engineer)
    assert timeouts and max(timeouts) == 7


def test_signing_out_ends_the_session_everywhere(engineer):
    client = signed_in(engineer)
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302
    assert sessions.SessionStore(key).load() == {}
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/sessions/").status_code == 302
