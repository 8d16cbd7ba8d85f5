"""The ConnectWise client against the fake server: request shape and every error path."""

import base64

import pytest

from flowpilot.psa.client import ConnectWiseClient, PsaError, base_url_for
from flowpilot.psa.tests.conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY


@pytest.fixture
def cw(fake_cw):
    return ConnectWiseClient(
        site=fake_cw.base_url,
        company_id=COMPANY,
        public_key=PUBLIC_KEY,
        private_key=PRIVATE_KEY,
        client_id=CLIENT_ID,
        timeout=0.5,
    )


def test_base_url_for_host_name_uses_https_and_the_api_path():
    assert base_url_for("na.myconnectwise.net") == "https://na.myconnectwise.net/v4_6_release/apis/3.0/"


def test_base_url_for_full_url_keeps_scheme_and_port():
    assert base_url_for("http://127.0.0.1:9000/") == "http://127.0.0.1:9000/v4_6_release/apis/3.0/"


def test_base_url_for_other_schemes_is_refused():
    with pytest.raises(PsaError):
        base_url_for("file:///etc/passwd")


def test_add_internal_note_posts_to_the_ticket_notes_path_with_auth_headers(cw, fake_cw):
    note = cw.add_internal_note(4242, "Checked the tunnel.")

    request = fake_cw.requests[-1]
    assert request["method"] == "POST"
    assert request["path"] == "/v4_6_release/apis/3.0/service/tickets/4242/notes"
    expected = base64.b64encode(f"{COMPANY}+{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()
    assert request["headers"]["authorization"] == f"Basic {expected}"
    assert request["headers"]["clientid"] == CLIENT_ID
    assert request["body"] == {
        "text": "Checked the tunnel.",
        "internalAnalysisFlag": True,
        "detailDescriptionFlag": False,
        "resolutionFlag": False,
    }
    assert note.id == str(fake_cw.notes[-1]["id"])
    assert note.http_status == 201


def test_get_ticket_reads_summary_company_and_contact(cw, fake_cw):
    ticket = cw.get_ticket(4242)

    assert fake_cw.requests[-1]["path"] == "/v4_6_release/apis/3.0/service/tickets/4242"
    assert (ticket.id, ticket.summary, ticket.company_name, ticket.contact_name) == (
        4242,
        "VPN drops every 10 minutes",
        "Fabrikam Dental",
        "Ana Lopez",
    )


def test_wrong_credentials_raise_401_not_retryable(fake_cw):
    client = ConnectWiseClient(
        site=fake_cw.base_url,
        company_id=COMPANY,
        public_key=PUBLIC_KEY,
        private_key="wrong",
        client_id=CLIENT_ID,
        timeout=0.5,
    )
    with pytest.raises(PsaError) as err:
        client.add_internal_note(4242, "x")
    assert err.value.http_status == 401
    assert not err.value.retryable
    assert fake_cw.notes == []


def test_unknown_ticket_raises_404_not_retryable(cw):
    with pytest.raises(PsaError) as err:
        cw.get_ticket(999)
    assert err.value.http_status == 404
    assert "not found" in err.value.message
    assert not err.value.retryable


def test_server_error_is_retryable_with_its_status(cw, fake_cw):
    fake_cw.fail_next(500)
    with pytest.raises(PsaError) as err:
        cw.add_internal_note(4242, "x")
    assert err.value.http_status == 500
    assert err.value.retryable


def test_slow_server_times_out_as_retryable_without_status(cw, fake_cw):
    fake_cw.fail_next(status=0, delay_s=1.5)
    with pytest.raises(PsaError) as err:
        cw.get_ticket(4242)
    assert err.value.timed_out and err.value.retryable
    assert err.value.http_status is None
    assert "Could not reach" in err.value.message


def test_unreachable_server_is_retryable(fake_cw):
    client = ConnectWiseClient(
        site="http://127.0.0.1:9", company_id="c", public_key="p", private_key="k", client_id="i", timeout=0.5
    )
    with pytest.raises(PsaError) as err:
        client.check()
    assert err.value.retryable and err.value.http_status is None


def test_client_repr_does_not_leak_the_authorization_header(cw):
    assert PRIVATE_KEY not in repr(cw)
    assert "Basic" not in repr(cw)
