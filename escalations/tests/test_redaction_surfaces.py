"""Item 4 of issue 13: every surface that shows session text outside the session page is redacted."""

import json

import pytest
from django.core import mail

from escalations import delivery, services
from escalations.psa_package import render_escalation_package
from flowpilot import notes
from flowpilot import services as session_services

pytestmark = pytest.mark.django_db

SECRETS = {
    "summary": "mysql -u root -pSummaryPw1 fails",
    "title": r"net use Z: \\fs01\fin /user:CORP\jdoe TitlePw2",
    "command": "sshpass -p CommandPw3 ssh admin@fw01",
    "result": "curl -u admin:ResultPw4 https://printer.local worked",
    "output": "Server=sql01;User ID=sa;Password=OutputPw5;",
    "note": "ldapsearch -x -w NotePw6 -b dc=corp",
    "message": r"psexec \\srv -u admin -p MessagePw7 cmd",
    "escalator": "the admin password is EscalatorPw8",
    "resolution": "postgres://app:ResolutionPw9@db:5432/app",
}
LEAKS = ["SummaryPw1", "TitlePw2", "CommandPw3", "ResultPw4", "OutputPw5", "NotePw6", "MessagePw7", "EscalatorPw8"]


@pytest.fixture
def leaky_session(engineer):
    session = session_services.open_session(engineer, problem_summary=SECRETS["summary"], problem_domain="server")
    session_services.add_step(
        session,
        engineer,
        title=SECRETS["title"],
        command=SECRETS["command"],
        status="failed",
        result_note=SECRETS["result"],
        output=SECRETS["output"],
    )
    session_services.add_note(session, engineer, SECRETS["note"])
    session_services.ask_copilot(session, engineer, SECRETS["message"])
    return session


def assert_clean(text: str, leaks=LEAKS):
    found = [secret for secret in leaks if secret in text]
    assert not found, f"leaked {found}"


def test_snapshot_is_redacted(leaky_session, engineer):
    handoff = services.escalate(leaky_session, engineer, engineer_notes=SECRETS["escalator"])
    assert_clean(json.dumps(handoff.snapshot))


@pytest.mark.parametrize("fmt", notes.FORMATS)
def test_ticket_notes_are_redacted_in_every_format(leaky_session, engineer, fmt):
    session_services.resolve(leaky_session, engineer, SECRETS["resolution"])
    body = notes.render_ticket_notes(leaky_session, fmt)
    # Notes list steps with results and notes; the command and chat aren't in them.
    assert_clean(body, [*LEAKS, "ResolutionPw9"])


def test_psa_escalation_package_is_redacted(leaky_session, engineer):
    handoff = services.escalate(leaky_session, engineer, engineer_notes=SECRETS["escalator"])
    assert_clean(render_escalation_package(handoff))


def test_escalation_email_is_redacted(leaky_session, engineer, senior, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        handoff = services.escalate(leaky_session, engineer, engineer_notes=SECRETS["escalator"])
    delivery.escalation_deliveries(handoff.pk)
    [message] = [m for m in mail.outbox if senior.email in m.to]
    assert_clean(message.subject + message.body + message.alternatives[0][0])
