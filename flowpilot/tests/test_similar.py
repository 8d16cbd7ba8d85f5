"""Similar resolutions: ranked, resolved only, never another account's (PostgreSQL and the SQLite fallback)."""

import pytest

from flowpilot import services, similar

pytestmark = pytest.mark.django_db


def resolved(user, summary, resolution, domain="email"):
    session = services.open_session(user, problem_summary=summary, problem_domain=domain)
    services.resolve(session, user, resolution)
    return session


def test_the_most_similar_resolved_sessions_come_first_up_to_three(engineer):
    best = resolved(engineer, "Outlook keeps asking for the password", "Cleared cached credentials")
    resolved(engineer, "Outlook password prompt after migration", "Re-ran autodiscover")
    resolved(engineer, "Password expired for Outlook user", "Reset the password")
    resolved(engineer, "Outlook crashes when opening", "Repaired Office")
    resolved(engineer, "Printer jams on tray two", "Replaced the roller", domain="printing")
    found = similar.find(engineer.account_id, "Outlook keeps asking for password", domain="email")
    assert len(found) == 3 and found[0].session == best.pk
    assert all("Printer" not in item.problem_summary for item in found)
    assert set(found[0].as_dict()) == {"session", "problem_summary", "resolution_summary"}


def test_sessions_that_read_the_same_appear_once(engineer):
    resolved(engineer, "Outlook keeps asking for the password", "Cleared cached credentials")
    resolved(engineer, "Outlook keeps asking for the  password", "cleared cached credentials")
    other = resolved(engineer, "Outlook keeps asking for a password", "Re-ran autodiscover")
    found = similar.find(engineer.account_id, "Outlook keeps asking for password")
    assert len(found) == 2
    assert {item.session for item in found} & {other.pk} == {other.pk}
    assert sum(item.resolution_summary.lower() == "cleared cached credentials" for item in found) == 1


def test_open_sessions_and_the_session_itself_are_left_out(engineer):
    services.open_session(engineer, problem_summary="VPN drops every ten minutes", problem_domain="networking")
    done = resolved(engineer, "VPN drops after sleep", "Disabled NIC power saving", domain="networking")
    assert [s.session for s in similar.find(engineer.account_id, "VPN drops")] == [done.pk]
    assert similar.for_session(done) == []


def test_never_crosses_accounts(engineer, outsider):
    resolved(outsider, "Outlook keeps asking for the password", "Other MSP's secret fix")
    assert similar.find(engineer.account_id, "Outlook keeps asking for the password") == []
    assert similar.find(None, "Outlook") == []


def test_secrets_in_resolutions_are_redacted(engineer):
    resolved(engineer, "Outlook keeps asking", "Set password=Hunter2Secret! on the service account")
    found = similar.find(engineer.account_id, "Outlook asking")
    assert "Hunter2Secret" not in found[0].resolution_summary


@pytest.mark.parametrize(
    "text", ["why is it very off and out", "C:\\ drive 100% full; can't 'map' it & | ! <->", "", "a", "ÄÖÜ ß 日本語"]
)
def test_any_typed_text_is_safe(engineer, text):
    resolved(engineer, "Drive full on the file server", "Freed space")
    assert isinstance(similar.find(engineer.account_id, text), list)
