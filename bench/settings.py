"""The production settings plus the bench app: `DJANGO_SETTINGS_MODULE=bench.settings manage.py bench_NAME`."""

from resolutionflow.settings import *  # noqa: F403
from resolutionflow.settings import INSTALLED_APPS, STORAGES

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# The bench renders pages without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
