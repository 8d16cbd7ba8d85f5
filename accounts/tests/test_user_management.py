"""In-app user management: the first real view behind the tenant/role mechanism."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_settings_page_lists_members_for_owner(client_for, owner, engineer):
    response = client_for(owner).get("/account/")
    assert response.status_code == 200
    assert engineer.email in response.content.decode()
    assert "Add a user" in response.content.decode()


def test_settings_page_hides_user_management_from_engineer(client_for, engineer, owner):
    response = client_for(engineer).get("/account/")
    assert response.status_code == 200
    assert owner.email not in response.content.decode()


def test_invite_by_admin_creates_user_without_a_password(client_for, admin_user):
    response = client_for(admin_user).post(
        "/account/users/", {"email": "New@Northwind.test", "name": "Nia New", "role": "engineer"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@northwind.test")
    assert user.account_id == admin_user.account_id
    assert user.account_role == Role.ENGINEER
    assert not user.has_usable_password()


def test_invitation_email_is_sent_after_commit_with_one_time_link(
    client_for, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).post("/account/users/", {"email": "nia@northwind.test", "role": "viewer"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia@northwind.test"]
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)
    path = urlsplit(link).path
    client = Client()
    form_page = client.get(path, follow=True)
    assert b"Set your password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-secret-9", "new_password2": "a-long-new-secret-9"},
    )
    assert done.status_code == 302
    assert User.objects.get(email="nia@northwind.test").check_password("a-long-new-secret-9")
    # One-time: the same link no longer works.
    assert b"already been used" in client.get(path, follow=True).content


def test_invite_by_viewer_is_forbidden_naming_the_role(client_for, viewer):
    response = client_for(viewer).post("/account/users/", {"email": "x@northwind.test", "role": "engineer"})
    assert response.status_code == 403
    assert "owner or admin role required" in response.content.decode()
    assert not User.objects.filter(email="x@northwind.test").exists()


def test_invite_by_engineer_is_forbidden(client_for, engineer):
    response = client_for(engineer).post("/account/users/", {"email": "x@northwind.test", "role": "engineer"})
    assert response.status_code == 403


def test_invite_with_existing_email_is_a_clear_400(client_for, owner, engineer):
    response = client_for(owner).post("/account/users/", {"email": engineer.email, "role": "engineer"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_invite_cannot_grant_owner_role(client_for, owner):
    response = client_for(owner).post("/account/users/", {"email": "o2@northwind.test", "role": "owner"})
    assert response.status_code == 400
    assert not User.objects.filter(email="o2@northwind.test").exists()


def test_change_role_by_owner(client_for, owner, engineer):
    response = client_for(owner).post(f"/account/users/{engineer.pk}/role/", {"role": "viewer"})
    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.account_role == Role.VIEWER


def test_change_role_by_viewer_is_forbidden(client_for, viewer, engineer):
    response = client_for(viewer).post(f"/account/users/{engineer.pk}/role/", {"role": "admin"})
    assert response.status_code == 403
    engineer.refresh_from_db()
    assert engineer.account_role == Role.ENGINEER


def test_change_role_of_another_accounts_user_is_not_found(client_for, outsider, engineer):
    response = client_for(outsider).post(f"/account/users/{engineer.pk}/role/", {"role": "viewer"})
    assert response.status_code == 404
    engineer.refresh_from_db()
    assert engineer.account_role == Role.ENGINEER


def test_owner_of_another_account_cannot_see_this_accounts_users(client_for, outsider, owner, engineer):
    page = client_for(outsider).get("/account/")
    assert page.status_code == 200
    assert engineer.email not in page.content.decode()
    for action in ("role", "deactivate", "reactivate", "transfer-ownership"):
        response = client_for(outsider).post(f"/account/users/{engineer.pk}/{action}/", {"role": "viewer"})
        assert response.status_code == 404, action


def test_owner_role_cannot_be_changed_except_by_transfer(client_for, admin_user, owner):
    response = client_for(admin_user).post(f"/account/users/{owner.pk}/role/", {"role": "engineer"}, follow=True)
    owner.refresh_from_db()
    assert owner.account_role == Role.OWNER
    assert "ownership transfer" in response.content.decode()


def test_deactivate_and_reactivate(client_for, admin_user, engineer):
    client = client_for(admin_user)
    client.post(f"/account/users/{engineer.pk}/deactivate/")
    engineer.refresh_from_db()
    assert engineer.is_active is False
    client.post(f"/account/users/{engineer.pk}/reactivate/")
    engineer.refresh_from_db()
    assert engineer.is_active is True


def test_deactivated_user_cannot_sign_in(client, engineer):
    engineer.is_active = False
    engineer.save()
    assert client.login(username=engineer.email, password="correct-horse-battery") is False


def test_transfer_ownership_moves_the_owner_role(client_for, owner, admin_user):
    response = client_for(owner).post(f"/account/users/{admin_user.pk}/transfer-ownership/")
    assert response.status_code == 302
    owner.refresh_from_db()
    admin_user.refresh_from_db()
    assert admin_user.account_role == Role.OWNER
    assert owner.account_role == Role.ADMIN


def test_transfer_ownership_by_admin_is_forbidden(client_for, admin_user, engineer, owner):
    response = client_for(admin_user).post(f"/account/users/{engineer.pk}/transfer-ownership/")
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.account_role == Role.OWNER


def test_user_management_rejects_get(client_for, owner, engineer):
    assert client_for(owner).get(f"/account/users/{engineer.pk}/deactivate/").status_code == 405


def test_user_management_with_unknown_user_is_not_found(client_for, owner):
    assert client_for(owner).post(f"/account/users/{uuid.uuid4()}/deactivate/").status_code == 404


def test_malformed_user_id_is_not_found(client_for, owner):
    assert client_for(owner).post("/account/users/not-a-uuid/deactivate/").status_code == 404


def test_preferences_turn_email_off(client_for, engineer):
    client_for(engineer).post("/account/preferences/", {})
    engineer.refresh_from_db()
    assert engineer.email_notifications is False
    client_for(engineer).post("/account/preferences/", {"email_notifications": "on"})
    engineer.refresh_from_db()
    assert engineer.email_notifications is True


def test_account_pages_require_login(client, db):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
