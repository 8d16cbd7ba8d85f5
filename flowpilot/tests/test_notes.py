"""Ticket notes (PSA style) and the redaction they rely on."""

from datetime import timedelta

import pytest

from flowpilot import services
from flowpilot.models import Session
from flowpilot.notes import render_ticket_notes
from flowpilot.redact import PATTERNS, redact

SECRETS = [
    ("Password: Summer2026!", "Summer2026!"),
    ("password=hunter2", "hunter2"),
    ('{"api_key": "abcd1234efgh"}', "abcd1234efgh"),
    ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
    ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ("Server=sql01;Database=crm;User Id=sa;Password=P@ssw0rd;", "P@ssw0rd"),
    ("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=q1w2e3r4t5==;", "q1w2e3r4t5=="),
    ("postgres://app:s3cr3t@db.internal:5432/app", "s3cr3t"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA"),
    ("export ANTHROPIC_API_KEY sk-ant-api03-abcdefghijklmnopqrstuvwx", "sk-ant-api03-abcdefghijklmnopqrstuvwx"),
    ("key AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"),
    ("net user jdoe Winter2026! /domain", "Winter2026!"),
    ("$pw = ConvertTo-SecureString 'Sup3rS3cret' -AsPlainText -Force", "Sup3rS3cret"),
    ("client_secret: 8Q~abc.def", "8Q~abc.def"),
    ("the token is ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS, ids=[s[0][:24] for s in SECRETS])
def test_redact_removes_secret_and_keeps_label(text, secret):
    result = redact(text)
    assert secret not in result
    assert "[REDACTED" in result


@pytest.mark.parametrize(
    "text",
    ["Passed: 12 tests", "AccountEnabled : True", "Reset the password via the portal", "ipconfig /all", ""],
)
def test_redact_leaves_ordinary_text_alone(text):
    assert redact(text) == text


def test_patterns_live_in_one_named_list():
    names = {p.name for p in PATTERNS}
    assert {"private_key", "bearer", "connection_string", "labelled_secret", "url_credentials"} <= names


@pytest.fixture
def worked_session(engineer):
    session = services.open_session(
        engineer,
        problem_summary="Outlook keeps prompting",
        problem_domain="email",
        client_name="Fabrikam",
        ticket_ref="T-7",
    )
    services.add_step(session, engineer, title="Check account", status="done", result_note="Enabled", output="OK")
    services.add_step(
        session, engineer, title="Try modern auth", status="failed", result_note="Already on", is_dead_end=True
    )
    services.add_step(session, engineer, title="Untouched idea")
    services.add_step(session, engineer, title="Dump", status="done", output="line\n" * 50 + "Password=Hunter22")
    services.add_note(session, engineer, "User's token=abc123 was shared in chat")
    services.resolve(session, engineer, "Rebuilt the Outlook profile")
    Session.objects.filter(pk=session.pk).update(created_at=session.resolved_at - timedelta(minutes=83))
    session.refresh_from_db()
    return session


def test_markdown_notes_have_psa_sections(worked_session):
    md = render_ticket_notes(worked_session, "md")
    assert md.startswith("## Ticket T-7")
    assert "**Client:** Fabrikam" in md
    assert "### Problem\nOutlook keeps prompting" in md
    assert "1. **Check account** — Done" in md
    assert "2. **Try modern auth** — Failed — **dead end**" in md
    assert "### Dead ends\n- Try modern auth: Already on" in md
    assert "1 proposed step(s) not tried" in md
    assert "Untouched idea" not in md
    assert "### Resolution\nRebuilt the Outlook profile" in md
    assert "**Time spent:** 1 h 23 min" in md


def test_output_excerpts_are_short_and_redacted(worked_session):
    for fmt in ("md", "txt", "html"):
        text = render_ticket_notes(worked_session, fmt)
        assert text.count("line") <= 8
        assert "abc123" not in text  # from the note
        assert "Hunter22" not in text


def test_text_notes_are_plain(worked_session):
    txt = render_ticket_notes(worked_session, "txt")
    assert "**" not in txt and "<" not in txt
    assert "2. Try modern auth [Failed, DEAD END]" in txt
    assert "Time spent: 1 h 23 min" in txt


def test_html_notes_escape_user_text(engineer):
    session = services.open_session(engineer, problem_summary="<script>alert(1)</script> printer")
    html = render_ticket_notes(session, "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Not resolved yet" in html


def test_unknown_format_is_rejected(worked_session):
    with pytest.raises(ValueError, match="md, txt, html"):
        render_ticket_notes(worked_session, "pdf")


def test_markdown_notes_escape_markdown_but_keep_redaction_markers(engineer):
    session = services.open_session(
        engineer, problem_summary="# not a heading *bold* [link](http://x) `code` password=hunter2", ticket_ref="T-1"
    )
    services.add_step(session, engineer, title="Run `whoami` | grep *admin*", status="done", output="a ``` b")

    md = render_ticket_notes(session, "md")

    assert r"\# not a heading \*bold\* \[link\](http://x) \`code\` password=[REDACTED]" in md
    assert r"1. **Run \`whoami\` \| grep \*admin\*** — Done" in md
    assert "   ````\n   a ``` b\n   ````" in md  # the fence outgrows the output's backticks
    assert "hunter2" not in md
