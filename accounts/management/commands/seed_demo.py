from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts import demo as accounts_demo

# The demo's escalations run their real side effects when the seed commits (live push, AI assessment);
# their emails go to an in-memory outbox, not the configured backend: demo addresses are not mailboxes.
DEMO_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = "Load the demo (idempotent): Northwind MSP and Contoso IT with sessions, escalations and history."

    def handle(self, *args, **opts):
        # Each app's demo part is registered from its AppConfig.ready() (accounts/demo.py). The atomic
        # block closes (commit, then the on_commit side effects) inside the email override.
        with override_settings(EMAIL_BACKEND=DEMO_EMAIL_BACKEND), transaction.atomic():
            accounts_demo.seed_all()
        self.stdout.write(
            f"Demo ready. Sign in at /accounts/login/ with any of these (password: {accounts_demo.DEMO_PASSWORD}):"
        )
        for account, email, role in accounts_demo.logins():
            self.stdout.write(f"  {account:<14} {role:<9} {email}")
