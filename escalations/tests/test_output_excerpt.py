"""One step-output excerpt (flowpilot/excerpt.py) for the copilot, the handoff snapshot and the ticket notes."""

import pytest

from escalations.snapshot import build_snapshot
from flowpilot import services
from flowpilot.excerpt import output_excerpt
from flowpilot.notes import render_ticket_notes

pytestmark = pytest.mark.django_db

OUTPUT = "START\n" + "noise\n" * 40 + "token=abc123secret\nEND-ERROR"


def test_excerpt_keeps_head_and_tail_and_redacts():
    excerpt = output_excerpt(OUTPUT)

    assert excerpt.startswith("START") and excerpt.endswith("END-ERROR")
    assert "abc123secret" not in excerpt and "\n…\n" in excerpt
    assert len(excerpt.splitlines()) == 9  # four lines of head, the gap, four of tail


def test_short_output_is_kept_whole():
    assert output_excerpt("  OK\n") == "OK"


def test_copilot_snapshot_and_notes_show_the_same_excerpt(engineer):
    session = services.open_session(engineer, problem_summary="Outlook asks for a password")
    services.add_step(session, engineer, title="Dump", status="failed", output=OUTPUT)
    expected = output_excerpt(OUTPUT)

    assert services.tried_steps(session)[0].output_excerpt == expected
    assert build_snapshot(session)["steps"][0]["output_excerpt"] == expected
    assert "\n   ".join(expected.splitlines()) in render_ticket_notes(session, "md")
