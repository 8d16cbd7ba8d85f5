"""Operator commands: create_account, create_user, seed_demo."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from accounts.models import Account, Role, User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_account_prints_code_as_last_word_of_last_line():
    output = run("create_account", "Acme MSP", "--owner-email", "o@acme.test", "--password", "s3cret-pass-1")
    code = output.strip().splitlines()[-1].split()[-1]
    account = Account.objects.get(code=code)
    assert account.name == "Acme MSP"
    owner = User.objects.get(email="o@acme.test")
    assert owner.account == account and owner.account_role == Role.OWNER
    assert owner.check_password("s3cret-pass-1")


def test_create_account_codes_are_unique():
    first = run("create_account", "Acme MSP", "--owner-email", "a@acme.test", "--password", "x-123456")
    second = run("create_account", "Acme Services", "--owner-email", "b@acme.test", "--password", "x-123456")
    assert first.split()[-1] != second.split()[-1]


def test_create_account_with_taken_owner_email_fails_clearly(engineer):
    with pytest.raises(CommandError, match="already exists"):
        run("create_account", "Acme", "--owner-email", engineer.email, "--password", "x-123456")


@pytest.mark.parametrize("role", ["admin", "engineer", "viewer"])
def test_create_user_for_every_role(account, role):
    run("create_user", "--account", "northwind", "--email", f"{role}@x.test", "--role", role, "--password", "pw-123456")
    user = User.objects.get(email=f"{role}@x.test")
    assert user.account == account and user.account_role == role


def test_create_user_owner_role_when_account_has_no_owner(account):
    run("create_user", "--account", "NORTHWIND", "--email", "o@x.test", "--role", "owner", "--password", "pw-123456")
    assert User.objects.get(email="o@x.test").account_role == Role.OWNER


def test_create_user_second_owner_is_refused(owner):
    with pytest.raises(CommandError, match="transfer ownership"):
        run("create_user", "--account", "NORTHWIND", "--email", "o2@x.test", "--role", "owner", "--password", "pw")


def test_create_user_rejects_unknown_role(account):
    with pytest.raises(CommandError, match="Unknown role 'wizard'"):
        run("create_user", "--account", "NORTHWIND", "--email", "w@x.test", "--role", "wizard", "--password", "pw")
    assert not User.objects.filter(email="w@x.test").exists()


def test_create_user_rejects_unknown_account(db):
    with pytest.raises(CommandError, match="No account with code 'NOPE'"):
        run("create_user", "--account", "NOPE", "--email", "w@x.test", "--role", "viewer", "--password", "pw")


def test_create_user_command_exits_1_on_error(account, capsys):
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(
            [
                "manage.py",
                "create_user",
                "--account",
                "NOPE",
                "--email",
                "a@b.test",
                "--role",
                "viewer",
                "--password",
                "p",
            ]
        ).execute()
    assert exit_info.value.code == 1
    assert "No account with code" in capsys.readouterr().err


def test_seed_demo_is_idempotent_and_prints_logins():
    first = run("seed_demo")
    counts = (Account.objects.count(), User.objects.count())
    run("seed_demo")
    assert (Account.objects.count(), User.objects.count()) == counts
    assert "sam@northwind.test" in first and "vera@northwind.test" in first
    northwind = Account.objects.get(code="NORTHWIND")
    roles = sorted(northwind.users.values_list("account_role", flat=True))
    assert roles.count("viewer") == 1 and roles.count("owner") == 1
    assert Account.objects.filter(code="CONTOSO").exists()
