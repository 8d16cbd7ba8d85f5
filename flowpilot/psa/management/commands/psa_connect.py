"""`psa_connect --account CODE --site SITE --company ID --public-key K --private-key K --client-id ID`."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from flowpilot.psa import services
from resolutionflow.domain import DomainError


class Command(BaseCommand):
    help = "Set an account's ConnectWise connection (SITE: a host name, or a full URL for a local test server)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account code, e.g. NORTHWIND")
        parser.add_argument("--site", required=True)
        parser.add_argument("--company", required=True, help="ConnectWise company id")
        parser.add_argument("--public-key", required=True)
        parser.add_argument("--private-key", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--push-on-resolve", action="store_true", help="Push ticket notes on resolve")
        parser.add_argument("--push-on-escalate", action="store_true", help="Push the escalation package")

    def handle(self, *args, **opts):
        account = Account.objects.filter(code=opts["account"].upper()).first()
        if account is None:
            raise CommandError(f"No account with code {opts['account']!r}.")
        try:
            connection = services.save_connection(
                account,
                None,
                site=opts["site"],
                company_id=opts["company"],
                public_key=opts["public_key"],
                private_key=opts["private_key"],
                client_id=opts["client_id"],
                push_notes_on_resolve=opts["push_on_resolve"],
                push_package_on_escalate=opts["push_on_escalate"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"ConnectWise connection saved for {account.code}: site {connection.site}, keys encrypted.")
