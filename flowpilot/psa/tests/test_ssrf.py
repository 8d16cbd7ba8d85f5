"""The ConnectWise site is not a way into the network (issue 20 item 1).

Only host names over https at public addresses, checked when the connection
opens (not only when saved); redirects never followed; one "could not reach"
message whatever a port's state. PSA_ALLOW_PRIVATE_HOSTS (set for the test
suite's fakes) is switched off here unless a test needs a local server.
"""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flowpilot.psa import client as psa_client
from flowpilot.psa import services
from flowpilot.psa.client import ConnectWiseClient, PsaError, is_public_address, validate_site
from flowpilot.psa.models import PsaConnection
from flowpilot.psa.tests.conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY
from resolutionflow.domain import InvalidOperation


@pytest.fixture
def public_only(settings):
    settings.PSA_ALLOW_PRIVATE_HOSTS = False


def cw(site: str, timeout: float = 1) -> ConnectWiseClient:
    return ConnectWiseClient(
        site=site,
        company_id=COMPANY,
        public_key=PUBLIC_KEY,
        private_key=PRIVATE_KEY,
        client_id=CLIENT_ID,
        timeout=timeout,
    )


def resolving_to(monkeypatch, address: str) -> list[str]:
    """Make every name resolve to `address` (what a hostile DNS answer, or a rebinding, would do)."""
    asked: list[str] = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(psa_client.socket, "getaddrinfo", fake_getaddrinfo)
    return asked


@pytest.mark.parametrize(
    "site",
    ["127.0.0.1", "localhost", "0x7f000001", "2130706433", "169.254.169.254", "10.0.0.8", "[::1]"],
)
def test_loopback_private_and_metadata_sites_are_refused_at_connect(public_only, site):
    with pytest.raises(PsaError) as err:
        cw(site).check()
    assert err.value.message in (
        "The ConnectWise site must resolve to a public internet address.",
        psa_client.SITE_RULE,
    )


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.1.2.3", "192.168.1.1", "::1", "fd00::1"])
def test_a_public_name_that_resolves_inside_is_refused_when_connecting(public_only, monkeypatch, address):
    # Saved while it resolved outside; DNS now answers with an internal address (rebinding).
    asked = resolving_to(monkeypatch, address)
    with pytest.raises(PsaError, match="public internet address"):
        cw("na.myconnectwise.net").get_ticket(1)
    assert asked == ["na.myconnectwise.net"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1", False),
        ("not an address", False),
    ],
)
def test_public_address_rule(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "site",
    [
        "http://na.myconnectwise.net",
        "https://na.myconnectwise.net",
        "na.myconnectwise.net/v4_6_release",
        "user:pass@na.myconnectwise.net",
        "na.myconnectwise.net:8443",
        "na.myconnectwise.net?x=1",
        "na.myconnect\nwise.net",
        "",
    ],
)
def test_site_is_a_bare_host_name(public_only, site):
    with pytest.raises(PsaError):
        validate_site(site)


def test_saving_a_url_site_without_the_operator_switch_is_refused(public_only, account, owner):
    with pytest.raises(InvalidOperation, match="host name"):
        services.save_connection(
            account,
            owner,
            site="http://127.0.0.1:9000",
            company_id=COMPANY,
            client_id=CLIENT_ID,
            public_key=PUBLIC_KEY,
            private_key=PRIVATE_KEY,
        )
    assert not PsaConnection.objects.exists()


def test_the_connection_form_refuses_credentials_in_the_site(client_for, owner, settings):
    response = client_for(owner).post(
        "/psa/connection/",
        {
            "site": "https://admin:pw@na.myconnectwise.net",
            "company_id": COMPANY,
            "public_key": PUBLIC_KEY,
            "private_key": PRIVATE_KEY,
            "client_id": CLIENT_ID,
        },
    )
    assert response.status_code == 400
    assert not PsaConnection.objects.exists()


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append((self.path, self.headers.get("Authorization")))
        if self.server.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    servers = []

    def start(redirect_to: str = ""):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        server.hits, server.redirect_to = [], redirect_to
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_redirect_to_another_host_is_not_followed_and_carries_no_credentials(http_server):
    # Even with private hosts allowed (an on-premise server), a 3xx is an error, never a second request.
    elsewhere = http_server()
    redirector = http_server(redirect_to=f"http://127.0.0.1:{elsewhere.server_port}/steal")
    with pytest.raises(PsaError) as err:
        cw(f"http://127.0.0.1:{redirector.server_port}").check()
    assert err.value.http_status == 302 and "redirect" in err.value.message
    assert len(redirector.hits) == 1
    assert elsewhere.hits == []


def test_closed_and_silent_ports_read_the_same(http_server):
    # Port states must not be told apart through the connection test.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed_port = probe.getsockname()[1]
    probe.close()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never answers
    try:
        with pytest.raises(PsaError) as refused:
            cw(f"http://127.0.0.1:{closed_port}", timeout=0.3).check()
        with pytest.raises(PsaError) as timed_out:
            cw(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3).check()
    finally:
        silent.close()
    assert refused.value.message == timed_out.value.message == psa_client.UNREACHABLE


def test_a_non_http_service_reads_as_unreachable(http_server):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def banner():
        conn, _ = listener.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
        conn.close()

    threading.Thread(target=banner, daemon=True).start()
    try:
        with pytest.raises(PsaError) as err:
            cw(f"http://127.0.0.1:{listener.getsockname()[1]}").check()
    finally:
        listener.close()
    assert err.value.message == psa_client.UNREACHABLE
