"""The production settings plus the bench app: `DJANGO_SETTINGS_MODULE=bench.settings manage.py bench_NAME`."""

from resolutionflow.settings import *  # noqa: F403
from resolutionflow.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
