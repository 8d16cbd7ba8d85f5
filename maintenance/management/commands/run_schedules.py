"""`manage.py run_schedules [--loop SECONDS]`: create the runs of due schedules without Celery beat."""

from maintenance.tasks import fire_schedules
from resolutionflow.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = "Create a run for every maintenance schedule whose due time has come (one per due time)."

    def run_once(self) -> str:
        return f"Created {fire_schedules()} scheduled run(s)"
