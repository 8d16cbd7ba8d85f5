"""Fixtures for the flows tests: a small valid graph and a published flow of Northwind."""

import pytest

from flowpilot import services as session_services
from flows import services


def vpn_graph() -> dict:
    return {
        "schema_version": 1,
        "start": "connected",
        "nodes": [
            {
                "key": "connected",
                "type": "question",
                "text": "Does the VPN client connect at all?",
                "answers": [{"label": "Yes", "next": "mtu"}, {"label": "No", "next": "restart"}],
            },
            {
                "key": "restart",
                "type": "action",
                "text": "Restart the VPN service",
                "command": "Restart-Service vpnagent",
                "next": "fixed",
            },
            {"key": "mtu", "type": "action", "text": "Lower the MTU to 1400", "next": "escalate"},
            {"key": "fixed", "type": "outcome", "text": "Connection is stable", "outcome": "resolved"},
            {"key": "escalate", "type": "outcome", "text": "Needs a senior", "outcome": "escalate"},
        ],
    }


@pytest.fixture
def graph() -> dict:
    return vpn_graph()


@pytest.fixture
def draft(engineer):
    return services.create_flow(
        engineer,
        title="VPN drops",
        problem_domain="networking",
        description="Client VPN disconnects",
        tags=["vpn", "remote work"],
        graph=vpn_graph(),
    )


@pytest.fixture
def published(draft, owner):
    services.publish(draft, owner)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def session(engineer):
    return session_services.open_session(
        engineer, problem_summary="VPN drops every 10 minutes", problem_domain="networking"
    )
