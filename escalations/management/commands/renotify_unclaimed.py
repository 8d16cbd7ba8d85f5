"""`manage.py renotify_unclaimed [--loop SECONDS]`: the re-notify job without Celery beat."""

from escalations.tasks import renotify_unclaimed
from resolutionflow.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = "Email owners and admins once about escalations unclaimed past ESCALATION_RENOTIFY_MINUTES."

    def run_once(self) -> str:
        # Called directly, the task body runs here; its emails are outbox messages, sent after commit.
        return f"Queued {renotify_unclaimed()} re-notify email(s)"
