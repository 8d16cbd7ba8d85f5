"""The demo junior's whole session, through the pages and their htmx endpoints."""

import re

from flowpilot.models import Activity, Session, Step

HTMX = {"HTTP_HX_REQUEST": "true"}


def step_ids(html: str) -> list[str]:
    return re.findall(r'data-testid="step" data-step-id="([0-9a-f-]{36})"', html)


def test_junior_outlook_session_from_open_to_redacted_ticket_notes(engineer, client_for):
    client = client_for(engineer)

    # Open the session: the offline copilot answers right away with steps.
    response = client.post(
        "/sessions/new/",
        {
            "problem_summary": "Outlook keeps prompting for a password",
            "problem_domain": "email",
            "client_name": "Fabrikam Dental",
            "ticket_ref": "T-48213",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(ticket_ref="T-48213")
    assert response["Location"] == f"/sessions/{session.pk}/"

    page = client.get(f"/sessions/{session.pk}/")
    html = page.content.decode()
    assert "Rule-based (offline)" in html
    assert 'id="message-input"' in html and 'data-testid="message-form"' in html
    ids = step_ids(html)
    assert len(ids) == 4
    first, second, third = (Step.objects.get(pk=i) for i in ids[:3])
    assert "Credential Manager" in second.title

    # Two steps done with output (one contains a password), one failed as a dead end.
    r1 = client.post(
        f"/sessions/{session.pk}/steps/{first.pk}/result/",
        {"status": "done", "result_note": "Web sign-in works", "output": "AccountEnabled : True"},
        **HTMX,
    )
    assert r1.status_code == 200
    assert f'data-step-id="{first.pk}"' in r1.content.decode()
    assert 'hx-swap-oob="true"' in r1.content.decode()  # timeline and ticket notes refresh in place
    r2 = client.post(
        f"/sessions/{session.pk}/steps/{second.pk}/result/",
        {
            "status": "done",
            "result_note": "Removed 3 stale entries",
            "output": "Target: MicrosoftOffice16_Data:SSPI:jamie\nUser: jamie\nPassword: Summer2026!",
        },
        **HTMX,
    )
    assert r2.status_code == 200
    r3 = client.post(
        f"/sessions/{session.pk}/steps/{third.pk}/result/",
        {"status": "failed", "result_note": "Already enabled", "is_dead_end": "on"},
        **HTMX,
    )
    assert r3.status_code == 200
    assert 'data-testid="dead-end-badge"' in r3.content.decode()

    # The follow-up builds on the dead end: says so and does not re-propose it.
    reply = client.post(f"/sessions/{session.pk}/messages/", {"text": "Still prompting. What next?"}, **HTMX)
    assert reply.status_code == 200
    body = reply.content.decode()
    assert "as a dead end, so I&#x27;m not suggesting that path again" in body
    assert third.title in body
    titles = list(session.steps.values_list("title", flat=True))
    assert titles.count(third.title) == 1
    assert len(titles) == 7

    # Resolve, then download the notes: the pasted password is redacted.
    resolved = client.post(
        f"/sessions/{session.pk}/resolve/", {"resolution_summary": "Recreated the Outlook profile; no more prompts."}
    )
    assert resolved.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.RESOLVED

    notes = client.get(f"/sessions/{session.pk}/ticket-notes/?format=md")
    assert notes.status_code == 200
    assert notes["Content-Type"].startswith("text/markdown")
    assert "attachment" in notes["Content-Disposition"]
    text = notes.content.decode()
    assert "Summer2026!" not in text
    assert "Password: [REDACTED]" in text
    assert "Recreated the Outlook profile" in text
    assert "dead end" in text and third.title in text
    assert "Fabrikam Dental" in text and "T-48213" in text

    kinds = list(session.activities.values_list("kind", flat=True))
    assert kinds[0] == Activity.Kind.OPENED
    assert kinds.count(Activity.Kind.STEP_RESULT) == 3
    assert kinds.count(Activity.Kind.MESSAGE) == 2
    assert kinds[-2:] == [Activity.Kind.RESOLVED, Activity.Kind.NOTES_EXPORTED]  # the download above is logged
