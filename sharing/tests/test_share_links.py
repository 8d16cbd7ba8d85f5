"""Share links: create, the public page (redaction, headers, 404s, views, rate limit), management, API."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from flowpilot import services as sessions
from sharing import services
from sharing.models import ShareLink
from tests.support.htmx import toast

HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = ["owner", "admin_user", "engineer", "viewer", "outsider"]

# Ten kinds of secret a tech pastes into a session, each with a unique marker that must never leak.
SECRETS = {
    "password": "Password: Tr0ub4dor&3x",
    "api_key": "api_key=AKxx-fake-apikey-77c1d2",
    "anthropic_key": "sk-ant-api03-FAKEFAKEFAKEFAKEFAKE9182",
    "aws_key": "AKIAIOSFODNN7FAKE999",
    "github_token": "ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKE123456",
    "bearer": "Authorization: Bearer eyFakeBearer.Token55aa",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlMTIzNDUifQ.c2lnbmF0dXJlZmFrZTk5",
    "connection_string": "Server=sql01;Database=crm;User Id=sa;Password=S3cretConn!44;",
    "url_credentials": "postgres://app:UrlPa55word77@db.internal:5432/crm",
    "private_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEfakePRIVATEkeyBODY88\n-----END RSA PRIVATE KEY-----",
}
LEAK_MARKERS = [
    "Tr0ub4dor",
    "apikey-77c1d2",
    "FAKEFAKEFAKEFAKEFAKE9182",
    "AKIAIOSFODNN7FAKE999",
    "ghp_FAKE",
    "eyFakeBearer",
    "c2lnbmF0dXJlZmFrZTk5",
    "S3cretConn",
    "UrlPa55word77",
    "MIIEfakePRIVATEkeyBODY88",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def session(engineer):
    return sessions.open_session(
        engineer, problem_summary="Outlook keeps prompting", client_name="Fabrikam", ticket_ref="T-77"
    )


@pytest.fixture
def secret_session(engineer):
    s = sessions.open_session(
        engineer,
        problem_summary=f"CRM cannot connect; {SECRETS['connection_string']}",
        client_name="Fabrikam",
        ticket_ref="T-88",
    )
    items = list(SECRETS.items())
    for n, (kind, secret) in enumerate(items[1:8], 1):
        sessions.add_step(
            s,
            engineer,
            title=f"Check {kind}",
            status="done",
            result_note=f"found {secret}",
            output=f"log {n}: {secret}",
        )
    sessions.add_note(s, engineer, f"Client admin (jane.doe@fabrikam.test) said {SECRETS['password']}")
    sessions.add_note(s, engineer, SECRETS["private_key"])
    sessions.resolve(s, engineer, f"Rotated the DB login; new URL {SECRETS['url_credentials']}")
    return s


def make_link(session, user, **kwargs):
    return services.create_link(session, user, **kwargs)


def public_url(token):
    return f"/s/{token}/"


# --- the public page ---------------------------------------------------------------


def test_public_link_shows_the_notes_with_no_secret_email_or_internal_id(secret_session, engineer):
    link, token = make_link(secret_session, engineer, visibility="public")
    response = Client().get(public_url(token))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CRM cannot connect" in html and "Check api_key" in html and "Rotated the DB login" in html
    assert "[REDACTED" in html
    for marker in LEAK_MARKERS:
        assert marker not in html, marker
    assert "jane.doe" not in html and "[email hidden]" in html
    assert engineer.email not in html
    for internal_id in (secret_session.pk, link.pk, engineer.pk, secret_session.account_id):
        assert str(internal_id) not in html
    assert "<script" not in html


def test_public_page_sends_the_privacy_headers(session, engineer):
    _, token = make_link(session, engineer, visibility="public")
    response = Client().get(public_url(token))
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp and "script-src" not in csp
    assert "no-store" in response["Cache-Control"]


def test_public_page_is_read_only(session, engineer):
    _, token = make_link(session, engineer, visibility="public")
    client = Client()
    assert client.post(public_url(token)).status_code == 405
    assert "<form" not in client.get(public_url(token)).content.decode()


def test_revoked_link_answers_404_on_the_next_request(session, engineer):
    link, token = make_link(session, engineer, visibility="public")
    client = Client()
    assert client.get(public_url(token)).status_code == 200
    services.revoke(link, engineer)
    assert client.get(public_url(token)).status_code == 404


def test_expired_link_answers_404(session, engineer):
    link, token = make_link(session, engineer, visibility="public", expires_in_days=1)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(public_url(token)).status_code == 404


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 200, "../../etc"])
def test_unknown_or_malformed_tokens_answer_404(token, session, engineer):
    make_link(session, engineer, visibility="public")
    assert Client().get(f"/s/{token}/").status_code == 404


def test_a_nul_byte_in_the_token_is_refused_before_any_lookup(session, engineer):
    # resolutionflow.middleware answers 400 to a NUL anywhere in the path, before the view runs.
    make_link(session, engineer, visibility="public")
    assert Client().get("/s/%00/").status_code == 400


def test_the_stored_value_is_a_hash_not_the_token(session, engineer):
    link, token = make_link(session, engineer, visibility="public")
    stored = ShareLink.objects.filter(pk=link.pk).values()[0]
    assert token not in [str(v) for v in stored.values()]
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 43
    # The stored hash itself is not a working link.
    assert Client().get(public_url(stored["token_hash"])).status_code == 404


def test_views_are_counted_with_the_last_view_time(session, engineer):
    link, token = make_link(session, engineer, visibility="public")
    client = Client()
    client.get(public_url(token))
    client.get(public_url(token))
    link.refresh_from_db()
    assert link.view_count == 2
    assert link.last_viewed_at is not None


def test_a_refused_view_is_not_counted(session, engineer):
    link, token = make_link(session, engineer, visibility="account")
    Client().get(public_url(token))
    link.refresh_from_db()
    assert link.view_count == 0


@pytest.mark.parametrize(("who", "status"), [("viewer", 200), ("engineer", 200), ("outsider", 404), (None, 404)])
def test_an_account_link_needs_a_signed_in_member_of_that_account(who, status, request, session, engineer, client_for):
    _, token = make_link(session, engineer, visibility="account")
    client = client_for(request.getfixturevalue(who)) if who else Client()
    assert client.get(public_url(token)).status_code == status


def test_public_page_is_rate_limited_per_socket_address(session, engineer, settings):
    settings.SHARE_VIEWS_PER_MINUTE = 3
    _, token = make_link(session, engineer, visibility="public")
    client = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(3):
        assert client.get(public_url(token), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 200
    limited = client.get(public_url(token), HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert limited.status_code == 429
    assert limited["Retry-After"]
    # Another address still gets through.
    assert Client(REMOTE_ADDR="203.0.113.6").get(public_url(token)).status_code == 200


# --- creating links on the session page ----------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("engineer", 200), ("viewer", 403), ("outsider", 404)])
def test_create_link_from_the_session_page_by_role(role, status, request, session, client_for):
    user = request.getfixturevalue(role)
    response = client_for(user).post(
        f"/sessions/{session.pk}/shares/", {"visibility": "public", "expires_in_days": "7"}, **HTMX
    )
    assert response.status_code == status
    assert ShareLink.objects.count() == (1 if status == 200 else 0)
    if status == 200:
        html = response.content.decode()
        url = re.search(r'data-testid="share-url">([^<]+)<', html).group(1)
        token = url.rstrip("/").rsplit("/", 1)[1]
        assert ShareLink.objects.get().token_hash == services.hash_token(token)
        assert response["Cache-Control"] == "no-store"
        assert Client().get(public_url(token)).status_code == 200


def test_create_without_htmx_shows_the_link_once_on_its_own_page(session, engineer, client_for):
    response = client_for(engineer).post(
        f"/sessions/{session.pk}/shares/", {"visibility": "account", "expires_in_days": "30"}
    )
    assert response.status_code == 200
    assert 'data-testid="share-url"' in response.content.decode()


@pytest.mark.parametrize("days", ["0", "366", "abc", ""])
def test_bad_expiry_is_refused_with_a_message(days, session, engineer, client_for):
    response = client_for(engineer).post(
        f"/sessions/{session.pk}/shares/", {"visibility": "public", "expires_in_days": days}, **HTMX
    )
    assert response.status_code == 400
    assert "Expires after" in toast(response)["message"]
    assert not ShareLink.objects.exists()


def test_default_expiry_is_30_days_and_maximum_365(session, engineer):
    link, _ = make_link(session, engineer)
    assert timedelta(days=29, hours=23) < link.expires_at - timezone.now() <= timedelta(days=30)
    link, _ = make_link(session, engineer, expires_in_days=365)
    assert link.expires_at - timezone.now() <= timedelta(days=365)


def test_session_page_shows_the_share_panel_to_engineers_but_not_viewers(session, engineer, viewer, client_for):
    assert 'data-testid="share-panel"' in client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-testid="share-panel"' not in client_for(viewer).get(f"/sessions/{session.pk}/").content.decode()


def test_session_panel_lists_active_links_without_their_tokens(session, engineer, client_for):
    link, token = make_link(session, engineer, visibility="public")
    revoked, _ = make_link(session, engineer)
    services.revoke(revoked, engineer)
    expired, _ = make_link(session, engineer)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    html = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert f'data-share-id="{link.pk}"' in html
    assert str(revoked.pk) not in html and str(expired.pk) not in html
    assert token not in html


# --- /account/shares/ --------------------------------------------------------------------


def test_manage_page_lists_all_links_for_owners_and_admins(session, engineer, senior, owner, admin_user, client_for):
    mine, _ = make_link(session, engineer)
    theirs, _ = make_link(session, senior)
    for user in (owner, admin_user):
        html = client_for(user).get("/account/shares/").content.decode()
        assert str(mine.pk) in html and str(theirs.pk) in html


def test_manage_page_lists_only_own_links_for_engineers(session, engineer, senior, client_for):
    mine, _ = make_link(session, engineer)
    theirs, _ = make_link(session, senior)
    html = client_for(engineer).get("/account/shares/").content.decode()
    assert str(mine.pk) in html and str(theirs.pk) not in html


def test_manage_page_refuses_viewers_and_shows_outsiders_nothing_of_ours(
    session, engineer, viewer, outsider, client_for
):
    link, _ = make_link(session, engineer)
    assert client_for(viewer).get("/account/shares/").status_code == 403
    response = client_for(outsider).get("/account/shares/")
    assert response.status_code == 200 and str(link.pk) not in response.content.decode()


def test_manage_page_needs_a_login(client):
    assert client.get("/account/shares/").status_code == 302


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("admin_user", 200), ("engineer", 200), ("senior", 403), ("viewer", 403), ("outsider", 404)],
)
def test_revoke_from_the_page_by_role(role, status, request, session, engineer, client_for):
    link, token = make_link(session, engineer, visibility="public")
    response = client_for(request.getfixturevalue(role)).post(f"/account/shares/{link.pk}/revoke/", **HTMX)
    assert response.status_code == status
    link.refresh_from_db()
    assert (link.revoked_at is not None) == (status == 200)
    assert Client().get(public_url(token)).status_code == (404 if status == 200 else 200)


def test_htmx_revoke_on_the_manage_page_swaps_the_row_in_place(session, engineer, client_for):
    link, _ = make_link(session, engineer)
    client = client_for(engineer)
    assert 'name="show_session"' in client.get("/account/shares/").content.decode()
    response = client.post(f"/account/shares/{link.pk}/revoke/", {"show_session": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="share-{link.pk}"' in html and 'data-state="revoked"' in html
    assert "Outlook keeps prompting" in html and 'data-testid="revoke-share"' not in html


def test_revoke_without_htmx_redirects_back_only_to_this_site(session, engineer, client_for):
    link, _ = make_link(session, engineer)
    client = client_for(engineer)
    back = f"/sessions/{session.pk}/"
    assert client.post(f"/account/shares/{link.pk}/revoke/", {"next": back})["Location"] == back
    other, _ = make_link(session, engineer)
    response = client.post(f"/account/shares/{other.pk}/revoke/", {"next": "https://evil.test/"})
    assert response["Location"] == "/account/shares/"


def test_revoke_twice_keeps_the_first_time(session, engineer):
    link, _ = make_link(session, engineer)
    first = services.revoke(link, engineer).revoked_at
    assert services.revoke(link, engineer).revoked_at == first


# --- API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("owner", 201), ("engineer", 201), ("viewer", 403), ("outsider", 404)])
def test_api_create_by_role(role, status, request, session, api_for):
    response = api_for(request.getfixturevalue(role)).post(
        f"/api/v1/sessions/{session.pk}/shares/", {"visibility": "public", "expires_in_days": 10}, format="json"
    )
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert set(body) == {"id", "url", "visibility", "expires_at"}
        assert body["visibility"] == "public"
        token = body["url"].rstrip("/").rsplit("/", 1)[1]
        assert Client().get(public_url(token)).status_code == 200
        assert response["Cache-Control"] == "no-store"
    else:
        assert not ShareLink.objects.exists()


def test_api_create_defaults_to_an_account_link_for_30_days(session, engineer, api_for):
    body = api_for(engineer).post(f"/api/v1/sessions/{session.pk}/shares/", {}, format="json").json()
    link = ShareLink.objects.get(pk=body["id"])
    assert link.visibility == "account"
    assert timedelta(days=29) < link.expires_at - timezone.now() <= timedelta(days=30)


@pytest.mark.parametrize(
    "payload",
    [
        {"visibility": "world"},
        {"expires_in_days": 0},
        {"expires_in_days": 366},
        {"expires_in_days": "soon"},
        {"expires_in_days": True},
        {"visibility": ["public"]},
    ],
)
def test_api_create_bad_input_is_400(payload, session, engineer, api_for):
    response = api_for(engineer).post(f"/api/v1/sessions/{session.pk}/shares/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_api_create_for_a_malformed_session_id_is_404(engineer, api_for):
    assert api_for(engineer).post("/api/v1/sessions/not-a-uuid/shares/", {}, format="json").status_code == 404


def test_api_list_by_role(session, engineer, senior, owner, viewer, outsider, api_for):
    mine, _ = make_link(session, engineer)
    theirs, _ = make_link(session, senior)

    def listed(user):
        response = api_for(user).get("/api/v1/shares/")
        return response.status_code, {row["id"] for row in response.json().get("results", [])}

    assert listed(owner) == (200, {str(mine.pk), str(theirs.pk)})
    assert listed(engineer) == (200, {str(mine.pk)})
    assert listed(viewer)[0] == 403
    assert listed(outsider) == (200, set())
    row = api_for(engineer).get("/api/v1/shares/").json()["results"][0]
    assert row["state"] == "active" and row["view_count"] == 0 and "token_hash" not in row


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 204), ("engineer", 204), ("senior", 403), ("viewer", 403), ("outsider", 404)]
)
def test_api_delete_by_role(role, status, request, session, engineer, api_for):
    link, token = make_link(session, engineer, visibility="public")
    response = api_for(request.getfixturevalue(role)).delete(f"/api/v1/shares/{link.pk}/")
    assert response.status_code == status
    assert Client().get(public_url(token)).status_code == (404 if status == 204 else 200)


def test_api_share_endpoints_need_a_login(session, client):
    assert client.get("/api/v1/shares/").status_code in (401, 403)
    assert client.post(f"/api/v1/sessions/{session.pk}/shares/").status_code in (401, 403)


def test_api_schema_documents_the_share_endpoints(engineer, api_for):
    schema = api_for(engineer).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/sessions/{session_id}/shares/" in schema["paths"]
    assert "/api/v1/shares/{link_id}/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/sessions/"]["get"]["parameters"]}
    assert {"q", "client", "ticket", "domain", "status", "assignee", "opened_after", "opened_before"} <= params


def test_a_revoke_between_lookup_and_count_wins(session, engineer):
    link, token = make_link(session, engineer, visibility="public")
    found = services.find_live(token)
    services.revoke(link, engineer)
    assert services.count_view(found) is False
    link.refresh_from_db()
    assert link.view_count == 0
