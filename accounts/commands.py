"""Shared pieces of the operators' management commands."""

from django.core.management.base import CommandError

from accounts.models import Account


def account_by_code(code: str) -> Account:
    """The account whose operator code is `code` (any case); a CommandError naming it otherwise."""
    account = Account.objects.filter(code=code.upper()).first()
    if account is None:
        raise CommandError(f"No account with code {code!r}.")
    return account
