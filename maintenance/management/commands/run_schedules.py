"""`manage.py run_schedules [--loop SECONDS]`: create the runs of due schedules without Celery beat."""

import time

from django.core.management.base import BaseCommand, CommandError

from maintenance.tasks import fire_schedules


class Command(BaseCommand):
    help = "Create a run for every maintenance schedule whose due time has come (one per due time)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, metavar="SECONDS", help="Keep running, checking every SECONDS."
        )

    def handle(self, *args, **options):
        interval = options["loop"]
        if interval < 0:
            raise CommandError("--loop must be a positive number of seconds")
        while True:
            created = fire_schedules()
            self.stdout.write(f"Created {created} scheduled run(s)")
            if not interval:
                return
            time.sleep(interval)
