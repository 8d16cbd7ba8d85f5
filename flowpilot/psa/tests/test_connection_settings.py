"""Saving and testing the ConnectWise connection: roles, encryption at rest, keys never shown or logged."""

import base64
import logging

import pytest
from django.db import connection as db

from flowpilot.psa.models import PsaConnection
from flowpilot.psa.tests.conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY

HTMX = {"HTTP_HX_REQUEST": "true"}


def form_data(site: str, **overrides) -> dict:
    data = {
        "site": site,
        "company_id": COMPANY,
        "public_key": PUBLIC_KEY,
        "private_key": PRIVATE_KEY,
        "client_id": CLIENT_ID,
        "push_notes_on_resolve": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role_user", ["owner", "admin_user"])
def test_owner_and_admin_save_the_connection(request, client_for, account, fake_cw, role_user):
    user = request.getfixturevalue(role_user)
    response = client_for(user).post("/psa/connection/", form_data(fake_cw.base_url))

    assert response.status_code == 302
    saved = PsaConnection.objects.get(account=account)
    assert (saved.site, saved.company_id, saved.client_id) == (fake_cw.base_url, COMPANY, CLIENT_ID)
    assert saved.push_notes_on_resolve is True and saved.push_package_on_escalate is False
    assert saved.updated_by == user


@pytest.mark.parametrize("role_user", ["engineer", "viewer"])
def test_save_connection_by_engineer_or_viewer_is_forbidden(request, client_for, account, fake_cw, role_user):
    response = client_for(request.getfixturevalue(role_user)).post("/psa/connection/", form_data(fake_cw.base_url))

    assert response.status_code == 403
    assert b"owner or admin role required" in response.content
    assert not PsaConnection.objects.filter(account=account).exists()


def test_outsider_saving_changes_only_their_own_account(client_for, account, other_account, outsider, connection):
    response = client_for(outsider).post("/psa/connection/", form_data("contoso.example.com"))

    assert response.status_code == 302
    assert PsaConnection.objects.get(account=account).site == connection.site
    assert PsaConnection.objects.get(account=other_account).site == "contoso.example.com"


def test_save_connection_get_is_not_allowed(client_for, owner):
    assert client_for(owner).get("/psa/connection/").status_code == 405


def test_keys_are_encrypted_at_rest(client_for, owner, account, fake_cw):
    client_for(owner).post("/psa/connection/", form_data(fake_cw.base_url))

    with db.cursor() as cursor:
        cursor.execute(
            "SELECT public_key_encrypted, private_key_encrypted FROM psa_psaconnection WHERE account_id = %s",
            [account.pk.hex if db.vendor == "sqlite" else account.pk],
        )
        public_raw, private_raw = cursor.fetchone()
    assert PUBLIC_KEY not in public_raw and PRIVATE_KEY not in private_raw
    assert public_raw.startswith("gAAAA")  # a Fernet token


def test_settings_page_never_shows_the_keys_after_saving(client_for, owner, fake_cw):
    client = client_for(owner)
    client.post("/psa/connection/", form_data(fake_cw.base_url))

    page = client.get("/account/").content.decode()
    assert PUBLIC_KEY not in page and PRIVATE_KEY not in page
    assert "•••• set" in page
    assert 'data-testid="psa-status"' in page and fake_cw.base_url in page


def test_blank_keys_keep_the_stored_ones(client_for, owner, account, connection):
    before = PsaConnection.objects.get(account=account)
    response = client_for(owner).post(
        "/psa/connection/", form_data("eu.myconnectwise.net", public_key="", private_key=""), **HTMX
    )

    assert response.status_code == 200
    after = PsaConnection.objects.get(account=account)
    assert after.site == "eu.myconnectwise.net"
    assert after.public_key_encrypted == before.public_key_encrypted
    assert after.private_key_encrypted == before.private_key_encrypted
    assert "ConnectWise connection saved" in response["HX-Trigger"]


def test_first_save_without_keys_is_a_400_with_the_form_errors(client_for, owner, account):
    response = client_for(owner).post("/psa/connection/", form_data("na.myconnectwise.net", private_key=""), **HTMX)

    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert PUBLIC_KEY.encode() not in response.content
    assert not PsaConnection.objects.filter(account=account).exists()


def test_bad_site_is_a_400_on_the_full_page_without_htmx(client_for, owner, account):
    response = client_for(owner).post("/psa/connection/", form_data("ftp://files.example.com"))

    assert response.status_code == 400
    assert b"must be a host name" in response.content
    assert not PsaConnection.objects.filter(account=account).exists()


def test_secrets_appear_in_no_log_line(client_for, owner, fake_cw, ticket_session, committed, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(owner)
    client.post("/psa/connection/", form_data(fake_cw.base_url))
    client.post("/psa/connection/test/")
    fake_cw.fail_next(401)
    client.post("/psa/connection/test/")
    committed(client.post, f"/psa/sessions/{ticket_session.pk}/push/")
    fake_cw.fail_next(500, times=5)
    committed(client.post, f"/psa/sessions/{ticket_session.pk}/push/")

    assert caplog.records, "saving should log that the connection changed"
    assert len(fake_cw.notes) == 1 and "failed after" in caplog.text  # both push paths logged
    basic = base64.b64encode(f"{COMPANY}+{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()
    assert PUBLIC_KEY not in caplog.text and PRIVATE_KEY not in caplog.text and basic not in caplog.text


def test_test_connection_reports_success_inline(client_for, owner, connection, fake_cw):
    response = client_for(owner).post("/psa/connection/test/", **HTMX)

    assert response.status_code == 200
    assert b"Connected to ConnectWise" in response.content
    assert fake_cw.requests[-1]["path"].startswith("/v4_6_release/apis/3.0/service/tickets?")


def test_test_connection_reports_rejected_credentials_inline(client_for, owner, connection, fake_cw):
    fake_cw.fail_next(401)
    response = client_for(owner).post("/psa/connection/test/", **HTMX)

    assert response.status_code == 200
    assert b"rejected the credentials (401)" in response.content


def test_test_connection_reports_a_timeout_inline(client_for, owner, connection, fake_cw):
    fake_cw.fail_next(status=0, delay_s=1.5)
    response = client_for(owner).post("/psa/connection/test/", **HTMX)

    assert b"Could not reach" in response.content


def test_test_connection_without_a_connection_is_a_400(client_for, owner):
    response = client_for(owner).post("/psa/connection/test/", **HTMX)

    assert response.status_code == 400
    assert b"no ConnectWise connection" in response.content


@pytest.mark.parametrize("role_user", ["engineer", "viewer"])
def test_test_connection_by_engineer_or_viewer_is_forbidden(request, client_for, connection, role_user):
    response = client_for(request.getfixturevalue(role_user)).post("/psa/connection/test/")

    assert response.status_code == 403


def test_test_connection_by_outsider_never_reaches_our_connection(client_for, outsider, connection, fake_cw):
    response = client_for(outsider).post("/psa/connection/test/", **HTMX)

    assert response.status_code == 400
    assert fake_cw.requests == []


def test_test_connection_get_is_not_allowed(client_for, owner):
    assert client_for(owner).get("/psa/connection/test/").status_code == 405


def test_engineer_sees_the_status_but_no_form(client_for, engineer, connection):
    page = client_for(engineer).get("/account/").content.decode()

    assert 'data-testid="psa-status"' in page
    assert 'data-testid="psa-connection-form"' not in page


def test_changed_encryption_key_asks_to_reenter_keys(client_for, owner, connection, settings):
    settings.FIELD_ENCRYPTION_KEY = "YW5vdGhlci1rZXktMzItYnl0ZXMtbG9uZy0hISEhISE="
    response = client_for(owner).post("/psa/connection/test/", **HTMX)

    assert b"enter them again" in response.content
