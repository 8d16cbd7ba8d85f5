from django.core.management.base import BaseCommand
from django.db import transaction

import analytics.demo
import escalations.demo
import flowpilot.demo
import flowpilot.search
import flows.demo
from accounts import demo as accounts_demo


class Command(BaseCommand):
    help = "Load the demo (idempotent): Northwind MSP and Contoso IT with sessions, escalations and history."

    def handle(self, *args, **opts):
        with transaction.atomic():
            demo = accounts_demo.seed()
            flowpilot.demo.seed(demo)
            escalations.demo.seed(demo)
            flows.demo.seed(demo)
            analytics.demo.seed(demo)
            # Some demo rows are written around the services (backdating); index them all once.
            flowpilot.search.refresh_all()
        self.stdout.write(
            f"Demo ready. Sign in at /accounts/login/ with any of these (password: {accounts_demo.DEMO_PASSWORD}):"
        )
        for account, email, role in accounts_demo.logins():
            self.stdout.write(f"  {account:<14} {role:<9} {email}")
