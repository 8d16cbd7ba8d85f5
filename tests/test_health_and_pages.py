"""Health endpoint, login, navigation and the home redirect."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_channel_layer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


def test_healthz_reports_broken_channel_layer(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["channel_layer"].startswith("error")


def test_pages_require_login(client):
    for path in ("/", "/sessions/", "/escalations/", "/analytics/escalations/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_demo_senior_signs_in_and_sees_navigation(client, senior):
    response = client.post("/accounts/login/", {"username": senior.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    page = client.get("/account/").content.decode()
    for label in ("Sessions", "Escalations", "Analytics", "Account"):
        assert f">{label}</a>" in page


def test_viewer_navigation_has_no_analytics(client_for, viewer):
    page = client_for(viewer).get("/account/").content.decode()
    assert ">Sessions</a>" in page and ">Analytics</a>" not in page


def test_login_with_wrong_password_stays_on_form(client, senior):
    response = client.post("/accounts/login/", {"username": senior.email, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client_for, senior):
    client = client_for(senior)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_home_sends_engineer_without_open_escalations_to_sessions(client_for, senior):
    response = client_for(senior).get("/")
    assert response["Location"] == "/sessions/"


def test_static_css_has_no_external_urls():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "static/css/app.css").read_text()
    assert "http://" not in css and "https://" not in css and "@import" not in css


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/healthz", 200),
        ("/accounts/login/", 200),
        ("/accounts/reset/MQ/bad-token/", 200),  # the invitation / reset link page answers, with "invalid link"
        ("/admin/login/", 200),
        ("/api/v1/sessions/", 401),  # the API answers its own 401, never a redirect to the login page
        ("/api/v1/schema/", 200),
    ],
)
def test_public_views_are_marked_login_not_required(client, path, status):
    assert client.get(path).status_code == status


def test_admin_keeps_its_own_login(client):
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_every_other_page_sends_anonymous_users_to_login(client):
    for path in ("/psa/sessions/00000000-0000-0000-0000-000000000000/panel/", "/sessions/new/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), path
