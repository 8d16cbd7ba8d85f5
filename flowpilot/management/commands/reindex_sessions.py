from django.core.management.base import BaseCommand

from flowpilot.search import refresh_all


class Command(BaseCommand):
    help = "Recompute every session's stored search vector (PostgreSQL; a no-op elsewhere), e.g. after a bulk import."

    def handle(self, *args, **options):
        count = refresh_all()
        self.stdout.write(f"Reindexed {count} session(s).")
