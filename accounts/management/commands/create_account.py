from django.core.management.base import BaseCommand, CommandError

from accounts import services
from resolutionflow.domain import DomainError


class Command(BaseCommand):
    help = "Create an MSP account with its owner. The last word printed is the account code."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--owner-name", default="")

    def handle(self, *args, **opts):
        try:
            account = services.create_account(
                opts["name"], opts["owner_email"], opts["password"], owner_name=opts["owner_name"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created account {account.name} with owner {opts['owner_email'].lower()}.")
        self.stdout.write(f"Account code: {account.code}")
