"""`manage.py renotify_unclaimed [--loop SECONDS]`: the re-notify job without Celery beat."""

import time

from django.core.management.base import BaseCommand, CommandError

from escalations.notification_tasks import renotify_unclaimed


class Command(BaseCommand):
    help = "Email owners and admins once about escalations unclaimed past ESCALATION_RENOTIFY_MINUTES."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, metavar="SECONDS", help="Keep running, checking every SECONDS."
        )

    def handle(self, *args, **options):
        interval = options["loop"]
        if interval < 0:
            raise CommandError("--loop must be a positive number of seconds")
        while True:
            # Called directly, the task body runs here; its emails go through send_notification.
            queued = renotify_unclaimed()
            self.stdout.write(f"Queued {queued} re-notify email(s)")
            if not interval:
                return
            time.sleep(interval)
