"""`psa_connect --account CODE --site SITE --company ID --public-key K --client-id ID`; key: env, stdin, prompt."""

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import account_by_code
from flowpilot.psa import services
from resolutionflow.domain import DomainError

ARGV_WARNING = (
    "Warning: --private-key puts the key in the process list and shell history, where other users "
    "of this machine can read it. Prefer PSA_PRIVATE_KEY or stdin."
)


class Command(BaseCommand):
    help = (
        "Set an account's ConnectWise connection (SITE: a host name; a full URL only with PSA_ALLOW_PRIVATE_HOSTS=1). "
        "The private key comes from PSA_PRIVATE_KEY, stdin or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account code, e.g. NORTHWIND")
        parser.add_argument("--site", required=True)
        parser.add_argument("--company", required=True, help="ConnectWise company id")
        parser.add_argument("--public-key", required=True)
        parser.add_argument("--private-key", help="Deprecated: visible to other users; use PSA_PRIVATE_KEY or stdin")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--push-on-resolve", action="store_true", help="Push ticket notes on resolve")
        parser.add_argument("--push-on-escalate", action="store_true", help="Push the escalation package")

    def handle(self, *args, **opts):
        account = account_by_code(opts["account"])
        try:
            connection = services.save_connection(
                account,
                None,
                site=opts["site"],
                company_id=opts["company"],
                public_key=opts["public_key"],
                private_key=self.private_key(opts.get("private_key")),
                client_id=opts["client_id"],
                push_notes_on_resolve=opts["push_on_resolve"],
                push_package_on_escalate=opts["push_on_escalate"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"ConnectWise connection saved for {account.code}: site {connection.site}, keys encrypted.")

    def private_key(self, from_argv: str | None) -> str:
        if from_argv:
            self.stderr.write(ARGV_WARNING)
            return from_argv
        key = os.environ.get("PSA_PRIVATE_KEY", "")
        if not key and not sys.stdin.isatty():
            key = sys.stdin.readline()
        elif not key:
            key = getpass.getpass("ConnectWise private key: ")
        key = key.strip()
        if not key:
            raise CommandError("No private key: set PSA_PRIVATE_KEY, pipe it on stdin, or type it at the prompt.")
        return key
