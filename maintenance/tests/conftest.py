"""Fixtures for maintenance: a published procedure of the account (and one of another account), a run."""

import pytest

from conftest import make_user
from flows import services as flow_services
from flows.models import Flow
from maintenance import services

PROCEDURE = {
    "schema_version": 1,
    "start": "updates",
    "nodes": [
        {"key": "updates", "type": "action", "text": "Check Windows Update", "next": "reboot"},
        {"key": "reboot", "type": "action", "text": "No reboot pending", "next": "backup"},
        {"key": "backup", "type": "action", "text": "Backup succeeded", "next": "done"},
        {"key": "done", "type": "outcome", "text": "Healthy", "outcome": "resolved"},
    ],
}
STEPS = ["updates", "reboot", "backup"]


def publish_procedure(author, publisher, title: str = "Patch check") -> Flow:
    flow = flow_services.create_flow(author, title=title, kind=Flow.Kind.PROCEDURE, graph=PROCEDURE)
    flow_services.publish(flow, publisher)
    flow.refresh_from_db()
    return flow


@pytest.fixture
def procedure(engineer, owner) -> Flow:
    return publish_procedure(engineer, owner)


@pytest.fixture
def outsider_procedure(outsider, other_account) -> Flow:
    boss = make_user(other_account, "owner", "boss@other.test")
    return publish_procedure(outsider, boss, "Their patch check")


@pytest.fixture
def run(procedure, engineer):
    return services.create_run(
        engineer,
        flow_id=procedure.pk,
        title="November patch check",
        targets=[
            {"name": "FAB-DC01", "client_name": "Fabrikam", "ticket_ref": "4242"},
            "FAB-FS01",
            "WWI-SQL01",
        ],
    )


@pytest.fixture
def outsider_run(outsider_procedure, outsider):
    return services.create_run(outsider, flow_id=outsider_procedure.pk, title="Theirs", targets=["X1", "X2"])
