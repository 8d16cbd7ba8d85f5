"""Logins that can't be brute-forced; tokens that can be revoked; reset by email (issue 20 items 4, 5, 8)."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.api import LoginRateThrottle
from accounts.models import User
from conftest import PASSWORD
from resolutionflow.client import client_address

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


# --- the client address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy: the header is the client's own words
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # one proxy: the hop it appended
        (1, "", "10.0.0.9"),  # did not come through the proxy
        (2, "6.6.6.6, 198.51.100.2, 203.0.113.7", "198.51.100.2"),
        (1, "not-an-ip", "10.0.0.9"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# --- the login form (django-axes) ---------------------------------------------------------


def fail_login(client: Client, email: str, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": "wrong-password"}, **extra)


def test_login_form_locks_an_account_after_repeated_failures_and_says_when(engineer, settings):
    client = Client()
    codes = [fail_login(client, engineer.email, REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [200] * 4 + [429]  # from five different addresses: the fifth failure locks the account
    locked = client.post(LOGIN_URL, {"username": engineer.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.99")
    assert locked.status_code == 429
    assert b"Try again in 15 minutes" in locked.content
    assert locked["Retry-After"] == "900"


def test_login_form_locks_an_address_that_tries_many_accounts(engineer, senior, owner, admin_user, viewer):
    client = Client()
    for user in (engineer, senior, owner, admin_user, viewer):
        fail_login(client, user.email, REMOTE_ADDR="203.0.113.5")
    response = client.post(LOGIN_URL, {"username": "someone@else.test", "password": "x"}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429
    other_address = client.post(LOGIN_URL, {"username": "someone@else.test", "password": "x"}, REMOTE_ADDR="192.0.2.1")
    assert other_address.status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_address_lock(engineer, senior, owner, admin_user, viewer):
    client = Client()
    for i, user in enumerate((engineer, senior, owner, admin_user, viewer)):
        fail_login(client, user.email, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
    response = client.post(
        LOGIN_URL, {"username": "x@y.test", "password": "x"}, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert response.status_code == 429


def test_a_successful_login_still_works_below_the_limit(engineer):
    client = Client()
    fail_login(client, engineer.email)
    response = client.post(LOGIN_URL, {"username": engineer.email, "password": PASSWORD})
    assert response.status_code == 302


# --- the token endpoint (DRF throttles) ---------------------------------------------------


def test_token_endpoint_is_limited_per_account_across_addresses(engineer, monkeypatch):
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    client = APIClient()
    codes = [
        client.post(
            TOKEN_URL, {"username": engineer.email, "password": "x"}, format="json", REMOTE_ADDR=f"198.51.100.{i}"
        ).status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]


def test_token_throttle_ignores_a_forged_forwarded_for(engineer, monkeypatch):
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    client = APIClient()
    codes = [
        client.post(
            TOKEN_URL, {"username": f"u{i}@x.test", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        ).status_code
        for i in range(4)
    ]
    assert codes[-1] == 429
    assert (
        "Try again in"
        in client.post(TOKEN_URL, {"username": "z@x.test", "password": "x"}, format="json").json()["detail"]
    )


def test_token_endpoint_answers_503_when_the_throttle_cache_is_down(engineer):
    with mock.patch.object(LoginRateThrottle, "cache") as broken:
        broken.get.side_effect = ConnectionError("redis down")
        response = APIClient().post(TOKEN_URL, {"username": engineer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 503
    assert "unavailable" in response.json()["detail"]


def test_claims_still_work_when_the_throttle_cache_is_down(engineer, senior, api_for):
    from escalations import services as escalation_services
    from escalations.api import ClaimRateThrottle
    from flowpilot import services as session_services

    session = session_services.open_session(engineer, problem_summary="Printer offline")
    handoff = escalation_services.escalate(session, engineer)
    with mock.patch.object(ClaimRateThrottle, "cache") as broken:
        broken.get.side_effect = ConnectionError("redis down")
        response = api_for(senior).post(f"/api/v1/handoffs/{handoff.pk}/claim/")
    assert response.status_code == 200


# --- token revocation and expiry ----------------------------------------------------------


def token_client(user) -> tuple[APIClient, str]:
    key = APIClient().post(TOKEN_URL, {"username": user.email, "password": PASSWORD}, format="json").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, key


def test_delete_revokes_the_callers_token(engineer):
    client, key = token_client(engineer)
    assert client.get("/api/v1/sessions/").status_code == 200
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert client.get("/api/v1/sessions/").status_code == 401


def test_delete_without_credentials_is_a_401(db):
    response = APIClient().delete(TOKEN_URL)
    assert response.status_code == 401 and "detail" in response.json()


def test_deactivation_revokes_all_tokens(engineer, owner, django_capture_on_commit_callbacks):
    client, _ = token_client(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_active(owner, engineer, False)
    assert not Token.objects.filter(user=engineer).exists()
    assert client.get("/api/v1/sessions/").status_code == 401


def test_password_change_revokes_tokens(engineer):
    client, _ = token_client(engineer)
    browser = Client()
    browser.force_login(engineer)
    new = "another-long-passphrase-42"
    response = browser.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/sessions/").status_code == 401


def test_tokens_expire_after_the_configured_days(engineer, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    client, key = token_client(engineer)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=31))
    response = client.get("/api/v1/sessions/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    fresh, fresh_key = token_client(engineer)
    assert fresh_key != key and fresh.get("/api/v1/sessions/").status_code == 200


@pytest.mark.parametrize("header", ["Token abc", "Token " + "g" * 40, "Token " + "a" * 39 + "\u00e9"])
def test_malformed_tokens_are_a_401_not_a_query(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/sessions/").status_code == 401


# --- password reset -----------------------------------------------------------------------


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(engineer, settings):
    settings.SITE_URL = "https://rf.example.com"
    client = Client()
    known = client.post("/accounts/password_reset/", {"email": engineer.email})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@nowhere.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [engineer.email]
    assert "https://rf.example.com/accounts/reset/" in mail.outbox[0].body
    done = client.get("/accounts/password_reset/done/")
    assert done.status_code == 200 and b"If that address belongs to an account" in done.content


def test_reset_link_sets_a_new_password_and_revokes_tokens(engineer):
    api, _ = token_client(engineer)
    client = Client()
    client.post("/accounts/password_reset/", {"email": engineer.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    new = "brand-new-passphrase-99"
    response = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert User.objects.get(pk=engineer.pk).check_password(new)
    assert api.get("/api/v1/sessions/").status_code == 401


def test_login_page_links_to_password_reset(db):
    assert b"/accounts/password_reset/" in Client().get(LOGIN_URL).content


# --- small: the invite form, psa_connect's key, retry_notifications -----------------------


def test_invite_does_not_reveal_an_address_of_another_account(owner, outsider, client_for):
    response = client_for(owner).post(
        "/account/users/", {"email": outsider.email, "role": "engineer", "name": "X"}, follow=True
    )
    assert response.status_code == 200
    assert f"Invitation sent to {outsider.email}".encode() in response.content
    assert b"already exists" not in response.content
    assert User.objects.get(pk=outsider.pk).account_id == outsider.account_id
    assert mail.outbox == []


def test_invite_of_a_member_of_the_same_account_says_so(owner, engineer, client_for):
    response = client_for(owner).post("/account/users/", {"email": engineer.email, "role": "engineer"})
    assert response.status_code == 400 and b"already exists" in response.content


def test_names_with_control_characters_are_refused(account):
    from resolutionflow.domain import InvalidOperation

    with pytest.raises(InvalidOperation, match="control characters"):
        services.create_user(account, "new@northwind.test", "engineer", name="Evil\nAdmin")
    with pytest.raises(InvalidOperation, match="control characters"):
        services.create_account("Bad\x00Corp", "o@bad.test", PASSWORD)


def psa_connect(*extra: str, **kwargs) -> str:
    """Run psa_connect for Northwind without --private-key (unless given); the stored private key."""
    from flowpilot.psa import crypto
    from flowpilot.psa.models import PsaConnection

    args = ["--account=NORTHWIND", "--site=na.myconnectwise.net", "--company=c", "--public-key=p", "--client-id=i"]
    call_command("psa_connect", *args, *extra, **kwargs)
    return crypto.decrypt(PsaConnection.objects.get(account__code="NORTHWIND").private_key_encrypted)


def test_psa_connect_reads_the_private_key_from_the_environment(account, monkeypatch):
    monkeypatch.setenv("PSA_PRIVATE_KEY", "ENVKEY123")
    err = io.StringIO()
    assert psa_connect(stderr=err) == "ENVKEY123"
    assert "Warning" not in err.getvalue()


def test_psa_connect_reads_the_private_key_from_stdin(account, monkeypatch):
    monkeypatch.delenv("PSA_PRIVATE_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("STDINKEY456\n"))
    assert psa_connect() == "STDINKEY456"


def test_psa_connect_warns_when_the_key_is_on_the_command_line(account):
    err = io.StringIO()
    assert psa_connect("--private-key=ARGVKEY", stderr=err) == "ARGVKEY"
    assert "other users" in err.getvalue()


def test_retry_notifications_exits_non_zero_while_deliveries_still_fail(
    engineer, senior, settings, django_capture_on_commit_callbacks
):
    from django.core.management import CommandError

    from escalations import services as escalation_services
    from escalations.models import NotificationLog
    from flowpilot import services as session_services

    session = session_services.open_session(engineer, problem_summary="Mailbox full")
    with django_capture_on_commit_callbacks(execute=True):
        escalation_services.escalate(session, engineer)
    assert NotificationLog.objects.filter(channel="email").update(status="failed") == 1
    settings.EMAIL_BACKEND = "tests.support.failing_mail.FailingBackend"
    with pytest.raises(CommandError, match="failed again"):
        call_command("retry_notifications", stdout=io.StringIO())


# --- operators in Django admin revoke the same way ----------------------------------------


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("ops@resolutionflow.test", PASSWORD, name="Ops")


def test_admin_deactivation_revokes_tokens_and_sockets(operator, engineer, django_capture_on_commit_callbacks):
    client, _ = token_client(engineer)
    admin = Client()
    admin.force_login(operator)
    form = admin.get(f"/admin/accounts/user/{engineer.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update({"email": engineer.email, "account": engineer.account_id, "account_role": "engineer"})
    data.update({"date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "is_active": ""})
    data.pop("is_active")
    with (
        mock.patch("accounts.services.close_user_connections") as closed,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin.post(f"/admin/accounts/user/{engineer.pk}/change/", data)
    assert response.status_code == 302, response.content[:500]
    assert not User.objects.get(pk=engineer.pk).is_active
    closed.assert_called_once_with(engineer.pk, "deactivated")
    assert client.get("/api/v1/sessions/").status_code == 401


def test_admin_password_change_revokes_tokens(operator, engineer):
    client, _ = token_client(engineer)
    admin = Client()
    admin.force_login(operator)
    new = "operator-set-passphrase-31"
    response = admin.post(
        f"/admin/accounts/user/{engineer.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert client.get("/api/v1/sessions/").status_code == 401
