"""Test settings: the real settings plus fast hashing and quiet, deterministic side channels.

The suite runs the production path (DEBUG off, secure cookies); only the two
secrets get throwaway values here when the environment has none.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-resolutionflow-0123456789abcdefghijklmnopqrstuv")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "ZGV2LW9ubHktcmVzb2x1dGlvbmZsb3ctZmVybmV0ayE=")

from resolutionflow.settings import *  # noqa: F403
from resolutionflow.settings import REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
AI_PROVIDER = "offline"
ANTHROPIC_API_KEY = ""
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Throttles are exercised by dedicated tests that set their own rates.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "1000/min", "claim": "1000/min"}}

# SQLite tests use a file (one per process), not shared-cache memory: shared-cache
# locks ignore the busy timeout, so concurrent-claim tests would see "table is locked".
_db = DATABASES["default"]  # noqa: F405
if _db["ENGINE"] == "django.db.backends.sqlite3" and not _db.get("TEST", {}).get("NAME"):
    import os
    import tempfile

    _db["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"rf-test-{os.getpid()}.sqlite3")}

# The fakes (ConnectWise, Anthropic) listen on loopback; SSRF tests turn this off again.
PSA_ALLOW_PRIVATE_HOSTS = True
# The outbox re-dispatches quickly so the realstack outage test finishes well inside its two minutes.
OUTBOX_REDISPATCH_AFTER_S = 20
