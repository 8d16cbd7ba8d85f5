"""`--loop SECONDS` management commands: beat's periodic jobs run beside daphne on the embedded default."""

import time

from django.core.management.base import BaseCommand, CommandError


class PeriodicCommand(BaseCommand):
    """Runs `run_once()` (a beat task called directly), then again every --loop SECONDS when given."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, metavar="SECONDS", help="Keep running, checking every SECONDS."
        )

    def run_once(self) -> str:
        """Do the job once; a line for the log."""
        raise NotImplementedError

    def handle(self, *args, **options):
        interval = options["loop"]
        if interval < 0:
            raise CommandError("--loop must be a positive number of seconds")
        while True:
            self.stdout.write(self.run_once())
            if not interval:
                return
            time.sleep(interval)
