import pytest

from flowpilot import services as sessions
from flows import services as flows
from flows.tests.conftest import vpn_graph


@pytest.fixture
def resolved_outlook(engineer):
    session = sessions.open_session(
        engineer, problem_summary="Outlook keeps prompting for a password", client_name="Fabrikam"
    )
    sessions.add_step(session, engineer, title="Clear cached credentials", status="done")
    return sessions.resolve(session, engineer, "Removed the stale Office credential in Credential Manager")


@pytest.fixture
def outlook_flow(engineer, owner):
    flow = flows.create_flow(
        engineer,
        title="Outlook password prompts",
        problem_domain="email",
        description="When Outlook asks for the password again and again",
        tags=["outlook"],
        graph=vpn_graph(),
    )
    flows.publish(flow, owner)
    flow.refresh_from_db()
    return flow
