"""Fixtures shared by every app's tests: two accounts, one user per role, clients."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Account, Role, Team, User
from tests.support.fake_anthropic import FakeAnthropic

pytest_plugins = ["tests.support.pytest_plugin"]

PASSWORD = "correct-horse-battery"


def make_user(account: Account | None, role: str, email: str, name: str = "", **extra) -> User:
    return User.objects.create_user(
        email, PASSWORD, name=name or email.split("@")[0].title(), account=account, account_role=role, **extra
    )


@pytest.fixture
def account(db) -> Account:
    return Account.objects.create(name="Northwind MSP", code="NORTHWIND")


@pytest.fixture
def other_account(db) -> Account:
    return Account.objects.create(name="Contoso IT", code="CONTOSO")


@pytest.fixture
def team(account) -> Team:
    return Team.objects.create(account=account, name="Service Desk")


@pytest.fixture
def owner(account) -> User:
    return make_user(account, Role.OWNER, "owner@northwind.test", "Olivia Owner")


@pytest.fixture
def admin_user(account) -> User:
    return make_user(account, Role.ADMIN, "admin@northwind.test", "Adam Admin")


@pytest.fixture
def engineer(account, team) -> User:
    return make_user(account, Role.ENGINEER, "junior@northwind.test", "Jamie Junior", team=team)


@pytest.fixture
def senior(account) -> User:
    return make_user(account, Role.ENGINEER, "senior@northwind.test", "Sam Senior")


@pytest.fixture
def senior2(account) -> User:
    return make_user(account, Role.ENGINEER, "senior2@northwind.test", "Rita Senior")


@pytest.fixture
def viewer(account) -> User:
    return make_user(account, Role.VIEWER, "viewer@northwind.test", "Vera Viewer")


@pytest.fixture
def outsider(other_account) -> User:
    """An owner of another MSP: sees nothing of Northwind's."""
    return make_user(other_account, Role.OWNER, "owner@contoso.test", "Chris Contoso")


@pytest.fixture
def client_for():
    """`client_for(user)` → a Django test client signed in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for():
    """`api_for(user)` → a DRF client authenticated with that user's real token."""

    def make(user: User) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def fake_anthropic(settings):
    """The real SDK pointed at a local fake Messages API; settings select the anthropic provider."""
    fake = FakeAnthropic().start()
    settings.AI_PROVIDER = "anthropic"
    settings.ANTHROPIC_API_KEY = "sk-test-fake"
    settings.ANTHROPIC_BASE_URL = fake.base_url
    settings.AI_MAX_RETRIES = 0
    yield fake
    fake.stop()
