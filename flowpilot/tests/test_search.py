"""Session search on /sessions/ and GET /api/v1/sessions/: text, ranking, filters, tenancy, bad input."""

import importlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from flowpilot import search, services
from flowpilot.models import Session, Step

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("ranked full-text search runs on PostgreSQL (the postgres stage)")


def open_session(user, summary, **fields):
    return services.open_session(user, problem_summary=summary, **fields)


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


# --- what is searched ---------------------------------------------------------


@pytest.mark.parametrize(
    "where", ["summary", "step_title", "detail", "command", "result", "output", "note", "resolution"]
)
def test_search_finds_text_in_every_part_of_a_session(where, engineer, api_for):
    session = open_session(engineer, "Printer offline" if where != "summary" else "Printer offline zanzibar")
    decoy = open_session(engineer, "Mailbox full")
    step_fields = {
        "step_title": {"title": "Restart zanzibar spooler"},
        "detail": {"title": "Restart", "detail": "the zanzibar service"},
        "command": {"title": "Restart", "command": "Restart-Service zanzibar"},
        "result": {"title": "Restart", "status": "done", "result_note": "zanzibar came back"},
        "output": {"title": "Restart", "status": "done", "output": "Status : Running zanzibar"},
    }
    if where in step_fields:
        services.add_step(session, engineer, **step_fields[where])
    elif where == "note":
        services.add_note(session, engineer, "Client mentioned zanzibar")
    elif where == "resolution":
        services.resolve(session, engineer, "Replaced the zanzibar toner")
    response = api_for(engineer).get("/api/v1/sessions/?q=zanzibar")
    assert response.status_code == 200
    assert ids(response) == [str(session.pk)]
    assert str(decoy.pk) not in ids(response)


def test_search_matches_client_and_ticket_too(engineer, api_for):
    session = open_session(engineer, "VPN drops", client_name="Fabrikam Dental", ticket_ref="T-4711")
    client = api_for(engineer)
    assert ids(client.get("/api/v1/sessions/?q=fabrikam")) == [str(session.pk)]
    assert ids(client.get("/api/v1/sessions/?q=T-4711")) == [str(session.pk)]


def test_every_word_must_match(engineer, api_for):
    both = open_session(engineer, "Outlook password prompt")
    open_session(engineer, "Outlook crashes on start")
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=outlook password")) == [str(both.pk)]


# --- ranking and the stored vector (PostgreSQL) ---------------------------------


def test_a_session_whose_output_holds_the_words_ranks_above_a_single_mention(postgres_only, engineer, api_for):
    once = open_session(engineer, "Slow logons")
    services.add_note(once, engineer, "maybe the kerberos ticket cache")
    rich = open_session(engineer, "Users cannot reach the file share")
    output = "kerberos: KDC_ERR_PREAUTH_FAILED\nkerberos ticket cache purged\nklist: kerberos ticket cache empty"
    services.add_step(rich, engineer, title="Purge kerberos tickets", status="done", output=output)
    noise = open_session(engineer, "Printer jams")

    results = ids(api_for(engineer).get("/api/v1/sessions/?q=kerberos ticket cache"))

    assert results == [str(rich.pk), str(once.pk)]
    assert str(noise.pk) not in results


def test_summary_words_weigh_more_than_output_words(postgres_only, engineer, api_for):
    in_output = open_session(engineer, "Laptop slow")
    services.add_step(in_output, engineer, title="Check", status="done", output="bitlocker suspended")
    in_summary = open_session(engineer, "Bitlocker recovery prompt every boot")
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=bitlocker")) == [str(in_summary.pk), str(in_output.pk)]


def test_services_keep_the_stored_vector_current(postgres_only, engineer):
    session = open_session(engineer, "DNS fails")
    assert "dns" in str(Session.objects.get(pk=session.pk).search_vector)
    step = services.add_step(session, engineer, title="Flush cache")
    services.record_result(step, engineer, status="done", output="Successfully flushed the resolver")
    services.add_note(session, engineer, "scavenging was disabled")
    services.resolve(session, engineer, "Enabled scavenging on the primary")
    vector = str(Session.objects.get(pk=session.pk).search_vector)
    for lexeme in ("flush", "resolv", "scaveng", "primari"):
        assert f"'{lexeme}'" in vector


def test_a_broad_search_ranks_only_the_newest_matches_and_the_page_says_so(
    postgres_only, engineer, api_for, client_for, monkeypatch
):
    monkeypatch.setattr(search, "RANKED_MATCHES", 2)
    oldest = open_session(engineer, "Quokka quokka quokka in the summary")
    once = open_session(engineer, "Laptop slow")
    services.add_note(once, engineer, "a quokka sticker on the lid")
    rich = open_session(engineer, "Quokka agent crashes")
    for days, session in ((3, oldest), (2, once), (1, rich)):
        Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(days=days))

    response = api_for(engineer).get("/api/v1/sessions/?q=quokka")

    assert response.json()["count"] == 2
    assert ids(response) == [str(rich.pk), str(once.pk)]  # the best of the two newest, not the best overall
    assert str(oldest.pk) not in ids(response)
    html = client_for(engineer).get("/sessions/?scope=all&q=quokka").content.decode()
    assert 'data-testid="newest-only"' in html and "newest 2 sessions" in html


def test_a_search_under_the_cap_ranks_every_match_and_adds_no_note(engineer, client_for):
    open_session(engineer, "Quokka agent crashes")
    html = client_for(engineer).get("/sessions/?scope=all&q=quokka").content.decode()
    assert "1 session" in html and 'data-testid="newest-only"' not in html


def test_search_results_page_on_the_list_and_the_api(engineer, api_for, client_for, monkeypatch):
    from flowpilot import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    sessions = [open_session(engineer, f"Wombat agent {n}") for n in range(3)]
    expected = {str(s.pk) for s in sessions}
    api = api_for(engineer)
    seen = ids(api.get("/api/v1/sessions/?q=wombat&limit=2")) + ids(
        api.get("/api/v1/sessions/?q=wombat&limit=2&offset=2")
    )
    assert set(seen) == expected and len(seen) == 3
    client = client_for(engineer)
    pages = [client.get(f"/sessions/?scope=all&q=wombat&page={n}").content.decode() for n in (1, 2)]
    assert "Page 2 of 2" in pages[1]
    assert sum(page.count('data-testid="session-row"') for page in pages) == 3


def test_the_stored_vector_is_kept_uncompressed_out_of_line(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'flowpilot_session'::regclass"
            " AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == "e"  # EXTERNAL (migration 0006): read faster for ranking


def test_websearch_syntax_excludes_and_quotes(engineer, api_for):
    vpn = open_session(engineer, "VPN client disconnects")
    open_session(engineer, "VPN tunnel down at branch office")
    client = api_for(engineer)
    assert ids(client.get("/api/v1/sessions/?q=vpn -tunnel")) == [str(vpn.pk)]
    assert ids(client.get('/api/v1/sessions/?q="client disconnects"')) == [str(vpn.pk)]


def test_migration_fills_vectors_of_existing_sessions(postgres_only, engineer, api_for):
    session = open_session(engineer, "Teams camera black")
    services.add_note(session, engineer, "driver rollback helped")
    Session.objects.update(search_vector=None)
    migration = importlib.import_module("flowpilot.migrations.0003_session_search_vector")

    migration.fill_vectors(apps, SimpleNamespace(connection=connection))

    assert ids(api_for(engineer).get("/api/v1/sessions/?q=rollback")) == [str(session.pk)]


def test_query_syntax_errors_are_not_500(engineer, api_for):
    open_session(engineer, "Anything")
    for q in ['"unclosed', "a & | !b", "(((", "-", "'", "\\", "or or"]:
        assert api_for(engineer).get("/api/v1/sessions/", {"q": q}).status_code == 200, q


# --- snippets -------------------------------------------------------------------


def test_snippet_marks_the_match_and_escapes_the_text(engineer, api_for):
    session = open_session(engineer, "Script error in portal")
    services.add_step(
        session, engineer, title="Check console", status="done", output="<script>alert(1)</script> quasar failed"
    )
    row = api_for(engineer).get("/api/v1/sessions/?q=quasar").json()["results"][0]
    assert "<mark>quasar</mark>" in row["snippet"]
    assert "<script>" not in row["snippet"]


def test_snippet_redacts_secrets(engineer, api_for):
    session = open_session(engineer, "SQL login fails")
    services.add_step(
        session, engineer, title="Test", status="done", output="Server=db1;User Id=sa;Password=Hunter2xyz; nebula"
    )
    row = api_for(engineer).get("/api/v1/sessions/?q=nebula").json()["results"][0]
    assert "Hunter2xyz" not in row["snippet"]
    assert "<mark>nebula</mark>" in row["snippet"]


def test_snippet_redacts_a_secret_whose_label_falls_outside_the_window(engineer):
    """The excerpt is cut around the match: a cut between "password:" and its value must not
    leave the value standing alone. Every distance is tried, so every cut point is."""
    session = open_session(engineer, "Backup agent cannot sign in")
    step = services.add_step(session, engineer, title="Try the service account", status="done")
    for pad in range(30, 180):
        Step.objects.filter(pk=step.pk).update(output=f"password: Zq9SecretValue77 {'y' * pad} nebula")
        snippet = search.snippets([session.pk], "nebula")[session.pk]
        assert "<mark>nebula</mark>" in snippet, pad
        assert "Zq9SecretValue77" not in snippet, (pad, snippet)


def test_snippet_finds_a_match_deep_in_long_output(engineer, api_for):
    session = open_session(engineer, "Event log flood")
    filler = " ".join(f"evt{n:05d}" for n in range(3000))  # ~27 KB before the match
    services.add_step(session, engineer, title="Dump log", status="done", output=f"{filler} platypus driver {filler}")
    row = api_for(engineer).get("/api/v1/sessions/?q=platypus").json()["results"][0]
    assert "<mark>platypus</mark>" in row["snippet"]
    assert len(row["snippet"]) < 600


def test_snippet_marks_stemmed_forms(postgres_only, engineer, api_for):
    session = open_session(engineer, "Group policies not applied")
    services.add_step(session, engineer, title="Force update", status="done", output="Computer policy restarted")
    snippet = api_for(engineer).get("/api/v1/sessions/?q=policy restarting").json()["results"][0]["snippet"]
    assert "<mark>policies</mark>" in snippet and "<mark>restarted</mark>" in snippet


def test_snippet_helper_never_lets_markup_through():
    assert search._safe("a \x02<b>\x03 c") == "a <mark>&lt;b&gt;</mark> c"
    assert search._safe("stray \x02marker") == "stray marker"


def test_no_snippet_without_a_query(engineer, api_for):
    open_session(engineer, "Anything")
    assert api_for(engineer).get("/api/v1/sessions/").json()["results"][0]["snippet"] is None


# --- filters ----------------------------------------------------------------------


def test_filters_combine_with_each_other_and_the_text(engineer, senior, api_for):
    match = open_session(
        engineer, "Outlook prompts", client_name="Fabrikam Dental", ticket_ref="CW-100", problem_domain="email"
    )
    open_session(
        engineer, "Outlook prompts", client_name="Fabrikam Dental", ticket_ref="CW-101", problem_domain="identity"
    )
    open_session(engineer, "Outlook prompts", client_name="Harbor", ticket_ref="CW-100", problem_domain="email")
    open_session(senior, "Outlook prompts", client_name="Fabrikam Dental", ticket_ref="CW-100", problem_domain="email")
    resolved = open_session(
        engineer, "Outlook prompts", client_name="Fabrikam Dental", ticket_ref="CW-100", problem_domain="email"
    )
    services.resolve(resolved, engineer, "done")
    query = {
        "q": "outlook",
        "client": "fabrikam",
        "ticket": "cw-100",
        "domain": "email",
        "status": "active",
        "assignee": str(engineer.pk),
        "opened_after": timezone.localdate().isoformat(),
        "opened_before": timezone.localdate().isoformat(),
    }
    assert ids(api_for(engineer).get("/api/v1/sessions/", query)) == [str(match.pk)]
    assert ids(api_for(engineer).get("/api/v1/sessions/", {**query, "assignee": "me"})) == [str(match.pk)]
    assert ids(api_for(engineer).get("/api/v1/sessions/", {**query, "status": "resolved"})) == [str(resolved.pk)]


def test_date_range_is_inclusive_and_uses_the_opening_day(engineer, api_for):
    old = open_session(engineer, "Old one")
    Session.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    new = open_session(engineer, "New one")
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    client = api_for(engineer)
    assert ids(client.get("/api/v1/sessions/", {"opened_before": day})) == [str(old.pk)]
    assert ids(client.get("/api/v1/sessions/", {"opened_after": timezone.localdate().isoformat()})) == [str(new.pk)]


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("status", "open", "status"),
        ("domain", "plumbing", "domain"),
        ("opened_after", "yesterday", "YYYY-MM-DD"),
        ("opened_before", "2026-13-01", "YYYY-MM-DD"),
        ("assignee", "bob", "user id"),
        ("scope", "everyone", "scope"),
        ("q", "x" * 201, "200"),
    ],
)
def test_bad_filter_values_answer_400_on_the_api_and_a_message_on_the_page(
    param, value, message, engineer, api_for, client_for
):
    response = api_for(engineer).get("/api/v1/sessions/", {param: value})
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert param in response.json()["errors"]

    page = client_for(engineer).get("/sessions/", {param: value})
    assert page.status_code == 400
    assert 'data-testid="filter-error"' in page.content.decode()
    assert message in page.content.decode()


def test_reversed_date_range_is_refused(engineer, api_for):
    response = api_for(engineer).get("/api/v1/sessions/", {"opened_after": "2026-05-02", "opened_before": "2026-05-01"})
    assert response.status_code == 400
    assert "before the start date" in response.json()["detail"]


def test_htmx_bad_filter_swaps_a_friendly_message(engineer, client_for):
    response = client_for(engineer).get("/sessions/", {"domain": "plumbing"}, **HTMX)
    assert response.status_code == 200
    assert "plumbing is not a domain" in response.content.decode()


# --- tenancy and roles --------------------------------------------------------------


def test_another_accounts_sessions_never_appear(engineer, outsider, api_for, client_for):
    ours = open_session(engineer, "Firewall blocks quokka traffic")
    theirs = open_session(outsider, "Firewall blocks quokka traffic")
    services.add_note(theirs, outsider, "quokka quokka quokka")
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=quokka")) == [str(ours.pk)]
    assert ids(api_for(outsider).get("/api/v1/sessions/?q=quokka")) == [str(theirs.pk)]
    assert ids(api_for(outsider).get(f"/api/v1/sessions/?assignee={engineer.pk}")) == []
    page = client_for(outsider).get("/sessions/?scope=all&q=quokka").content.decode()
    assert str(theirs.pk) in page and str(ours.pk) not in page


@pytest.mark.parametrize("role", ["owner", "engineer", "viewer"])
def test_every_member_role_can_search(role, request, engineer, api_for, client_for):
    session = open_session(engineer, "Wifi drops in meeting room")
    user = request.getfixturevalue(role)
    assert ids(api_for(user).get("/api/v1/sessions/?q=wifi")) == [str(session.pk)]
    assert str(session.pk) in client_for(user).get("/sessions/?scope=all&q=wifi").content.decode()


def test_search_needs_a_login(client):
    assert client.get("/api/v1/sessions/?q=x").status_code in (401, 403)
    assert client.get("/sessions/?q=x").status_code == 302


# --- the page -------------------------------------------------------------------------


def test_page_search_box_updates_results_as_you_type_and_keeps_the_url(engineer, client_for):
    html = client_for(engineer).get("/sessions/").content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-push-url="true"' in html
    assert 'hx-target="#session-results"' in html


def test_htmx_search_returns_only_the_results_and_a_status(engineer, client_for):
    session = open_session(engineer, "Shared mailbox missing")
    open_session(engineer, "Printer jam")
    response = client_for(engineer).get("/sessions/?scope=all&q=mailbox", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert str(session.pk) in html and "Printer jam" not in html
    assert 'id="results-status"' in html and 'hx-swap-oob="true"' in html and "1 session found" in html
    assert "HX-Request" in response["Vary"]


def test_a_bookmarked_search_url_renders_the_same_results_server_side(engineer, client_for):
    session = open_session(engineer, "Shared mailbox missing", client_name="Harbor")
    open_session(engineer, "Printer jam", client_name="Harbor")
    client = client_for(engineer)
    url = "/sessions/?scope=all&q=mailbox&client=harbor"
    full = client.get(url).content.decode()
    partial = client.get(url, **HTMX).content.decode()
    assert "<html" in full and 'value="mailbox"' in full and 'value="harbor"' in full
    assert str(session.pk) in full and "Printer jam" not in full
    assert full.count('data-testid="session-row"') == partial.count('data-testid="session-row"') == 1
    assert 'data-testid="search-snippet"' in full


def test_history_restore_gets_the_full_page(engineer, client_for):
    html = client_for(engineer).get("/sessions/?q=x", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in html.content.decode()


def test_huge_output_is_capped_in_the_vector_and_notes_stay_searchable(postgres_only, engineer, api_for):
    session = open_session(engineer, "Event log flood")
    noisy = " ".join(f"evt{n:06d}" for n in range(7000))  # ~70 KB of distinct words per step
    for n in range(4):
        services.add_step(session, engineer, title=f"Dump log {n}", status="done", output=noisy)
    services.add_note(session, engineer, "culprit was the wombat agent")
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=wombat")) == [str(session.pk)]
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=evt000001")) == [str(session.pk)]


def test_reindex_command_rebuilds_every_vector(postgres_only, engineer, api_for):
    session = open_session(engineer, "Teams camera black")
    Session.objects.update(search_vector=None)
    out = io.StringIO()
    call_command("reindex_sessions", stdout=out)
    assert "Reindexed 1 session" in out.getvalue()
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=camera")) == [str(session.pk)]


def test_reindex_command_is_a_no_op_off_postgres(db):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL reindexes for real (test above)")
    out = io.StringIO()
    call_command("reindex_sessions", stdout=out)
    assert "Reindexed 0 session" in out.getvalue()


def test_queries_read_the_stored_vector_rather_than_recomputing_it(postgres_only, engineer, api_for):
    session = open_session(engineer, "Spooler crashes")
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=spooler")) == [str(session.pk)]
    Session.objects.filter(pk=session.pk).update(search_vector=None)
    assert ids(api_for(engineer).get("/api/v1/sessions/?q=spooler")) == []


def test_an_owner_lists_the_whole_account_by_default(engineer, owner, client_for):
    session = open_session(engineer, "Scanner to email fails at reception")
    page = client_for(owner).get("/sessions/").content.decode()
    assert str(session.pk) in page
    assert '<option value="all" selected>' in page


def test_an_empty_search_of_my_sessions_offers_the_accounts_matches(engineer, senior, outsider, client_for):
    open_session(senior, "Quokka printer jams on tray two")
    open_session(senior, "Quokka badge reader offline")
    open_session(outsider, "Quokka scanner jams")
    page = client_for(engineer).get("/sessions/?q=quokka").content.decode()
    assert 'data-testid="search-elsewhere"' in page
    assert "2 in the whole account do." in page
    assert "scope=all" in page and "q=quokka" in page
    # Nothing anywhere: the plain empty state, no offer.
    empty = client_for(engineer).get("/sessions/?q=wombatzz").content.decode()
    assert 'data-testid="no-sessions"' in empty and "search-elsewhere" not in empty
