from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo


class Command(BaseCommand):
    help = "Load the demo (idempotent): Northwind MSP and Contoso IT with sessions, escalations and history."

    def handle(self, *args, **opts):
        # Each app's demo part is registered from its AppConfig.ready() (accounts/demo.py).
        with transaction.atomic():
            accounts_demo.seed_all()
        self.stdout.write(
            f"Demo ready. Sign in at /accounts/login/ with any of these (password: {accounts_demo.DEMO_PASSWORD}):"
        )
        for account, email, role in accounts_demo.logins():
            self.stdout.write(f"  {account:<14} {role:<9} {email}")
