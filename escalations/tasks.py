"""Celery tasks of escalations. Each task has an explicit name "escalations.<name>".

The assessment task lives in `assessment_tasks.py` (escalation core work) and
the notification tasks in `notification_tasks.py` (live-delivery work); this
module imports both so the worker's autodiscovery registers them.
"""

from escalations.assessment_tasks import *  # noqa: F403
from escalations.notification_tasks import *  # noqa: F403
