from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.commands import account_by_code
from accounts.models import Role
from resolutionflow.domain import DomainError


class Command(BaseCommand):
    help = "Add a user to an account by its code."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account code, e.g. NORTHWIND")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}")
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")

    def handle(self, *args, **opts):
        account = account_by_code(opts["account"])
        try:
            user = services.create_user(account, opts["email"], opts["role"], opts["password"], name=opts["name"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created {user.account_role} {user.email} in {account.code}.")
