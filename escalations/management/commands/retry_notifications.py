"""`manage.py retry_notifications [--max-age 24h]`: re-send failed email deliveries."""

import re
from collections import Counter
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from escalations import delivery

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_age(value: str) -> timedelta:
    """Parse "90m", "24h", "2d" or "30s" into a timedelta; anything else is a CommandError."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", value or "")
    if not match or int(match[1]) == 0:
        raise CommandError(f"--max-age must be a positive number with a unit s, m, h or d (e.g. 24h), got {value!r}")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "Re-send failed email notifications younger than --max-age (default 24h)."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", default="24h", help="How far back to look: 90m, 24h, 2d (default 24h).")

    def handle(self, *args, **options):
        max_age = parse_age(options["max_age"])
        ids = delivery.requeue_failed(max_age)
        # Sent from this process, once each: the operator sees the outcome now.
        outcomes = Counter(delivery.deliver(log_id, may_retry=False) for log_id in ids)
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items())) or "nothing to do"
        self.stdout.write(f"Retried {len(ids)} failed email notification(s): {summary}")
        if outcomes.get(delivery.Status.FAILED):
            # Non-zero exit: cron and monitoring must see that deliveries still fail.
            raise CommandError("Some emails failed again; see NotificationLog.last_error in the admin.")
