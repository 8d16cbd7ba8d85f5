"""PSA fixtures: a fake ConnectWise server, a saved connection and a session with a ticket."""

import pytest

from flowpilot.models import Session
from flowpilot.psa import services
from tests.support.fake_connectwise import FakeConnectWise

COMPANY, PUBLIC_KEY, PRIVATE_KEY, CLIENT_ID = "northwind", "pubKEY4242abcd", "privSECRET9000wxyz", "client-uuid-0001"


@pytest.fixture
def fake_cw(settings):
    fake = FakeConnectWise(credentials=(COMPANY, PUBLIC_KEY, PRIVATE_KEY, CLIENT_ID)).start()
    fake.add_ticket(4242, "VPN drops every 10 minutes", company="Fabrikam Dental", contact="Ana Lopez")
    settings.PSA_TIMEOUT_S = 0.5
    settings.PSA_PUSH_MAX_ATTEMPTS = 3
    yield fake
    fake.stop()


@pytest.fixture
def connection(account, owner, fake_cw):
    return services.save_connection(
        account,
        owner,
        site=fake_cw.base_url,
        company_id=COMPANY,
        public_key=PUBLIC_KEY,
        private_key=PRIVATE_KEY,
        client_id=CLIENT_ID,
    )


@pytest.fixture
def ticket_session(account, engineer) -> Session:
    return Session.objects.create(
        account=account,
        owner=engineer,
        assignee=engineer,
        problem_summary="VPN drops; password=hunter2 in the config",
        client_name="Fabrikam Dental",
        ticket_ref="#4242",
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(client.post, url, ...)`: run a request and then its on-commit work (the push task)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run
