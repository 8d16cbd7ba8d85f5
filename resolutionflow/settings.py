"""Settings for ResolutionFlow, read from the environment (SPEC section 9).

Every variable has a laptop-friendly default; a malformed value stops start-up
with an ImproperlyConfigured error that names the variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _strict(name: str, parse, default):
    """Parse one env var; a malformed value names the variable and stops start-up."""
    try:
        return parse(name, default=default)
    except (ValueError, TypeError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} is malformed: expected a boolean, got {raw!r}")


def _url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    raw = env.str(name, default=default)
    if raw is None or raw == "":
        return None
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"Environment variable {name} is malformed: expected a URL with scheme {' or '.join(schemes)}, got {raw!r}"
        )
    return raw


# Off unless asked for: `make run` sets DEBUG=1; a server started any other way is production.
DEBUG = _bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Environment variable SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-change-me-resolutionflow-0123456789abcdef"

ALLOWED_HOSTS = _strict("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]", "testserver"])

SITE_URL = _url("SITE_URL", "http://127.0.0.1:8000", ("http", "https")).rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "outbox",
    "accounts",
    "flowpilot",
    "flowpilot.psa",
    "sharing",
    "escalations",
    "flows",
    "maintenance",
    "analytics",
    "assistant",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a cookie, a header or the database: NUL bytes and friends answer 400.
    "resolutionflow.middleware.RejectUnsafeInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every view needs a login unless it is marked @login_not_required (DRF views mark themselves).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last: it reads the user the auth middleware set, and answers a lockout itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "resolutionflow.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "resolutionflow.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
_database_url = _url(
    "DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}", ("sqlite", "postgres", "postgresql", "pgsql")
)
DATABASES = {"default": environ.Env.db_url_config(_database_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let concurrent claimers queue instead of failing.
    # WAL lets readers run beside the one writer (daphne and the re-notify loop share
    # the file in `make run`); IMMEDIATE + a busy timeout make writers queue, not fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # One psycopg connection pool per process, shared by its threads. Not CONN_MAX_AGE: daphne runs
    # every request in a fresh thread (ASGI), so persistent connections pile up, one per thread that
    # ever queried, until PostgreSQL refuses ("too many clients already": bench_push with 4 daphne
    # processes and 2,000 sockets exhausted max_connections=300). Django's docs: under ASGI disable
    # persistent connections and pool instead. DB_POOL_MAX_SIZE=0 falls back to CONN_MAX_AGE
    # (a WSGI deployment, or a PgBouncer in front).
    DB_POOL_MAX_SIZE = _strict("DB_POOL_MAX_SIZE", env.int, 10)
    if DB_POOL_MAX_SIZE > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"] = {
            # A request waits up to 10 s for a free connection instead of failing at once.
            "pool": {"min_size": min(2, DB_POOL_MAX_SIZE), "max_size": DB_POOL_MAX_SIZE, "timeout": 10}
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = _strict("CONN_MAX_AGE", env.int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if TEST_DB_NAME := env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": TEST_DB_NAME}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# In development whitenoise serves straight from the app and project static dirs.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Redis: channel layer and Celery ----------------------------------------
REDIS_URL = _url("REDIS_URL", None, ("redis", "rediss", "unix"))

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis with a blocking pool: a disconnect storm waits for a connection instead of failing.
            "BACKEND": "escalations.channel_layer.BlockingPoolRedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                # Sockets live indefinitely (daphne --websocket_timeout -1) and re-join their group every
                # group_expiry / 3 (escalations/consumers.py), so a member whose disconnect never reached
                # Redis drops out within the hour.
                "group_expiry": 3600,
                "capacity": 500,
                "pool_size": 50,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # One process (daphne) owns the sockets; a worker beside it (`make run`) cannot reach
    # this layer, so what it finishes reaches the page by the page's own short poll
    # (the "generating" assessment re-fetches itself every 2 s; docs/security.md).
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # `make run` sets TASK_QUEUE_DIR: a folder as the broker (kombu's filesystem transport)
    # and a real worker beside daphne, so no request waits for the AI, SMTP or ConnectWise.
    # Unset (the test suite, a bare `manage.py`), tasks run in-process.
    TASK_QUEUE_DIR = env.str("TASK_QUEUE_DIR", default="")
    if TASK_QUEUE_DIR:
        _queue_dir = Path(TASK_QUEUE_DIR).resolve()
        for _sub in ("queue", "processed", "control"):
            (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
        CELERY_BROKER_URL = "filesystem://"
        CELERY_BROKER_TRANSPORT_OPTIONS_EMBEDDED = {
            "data_folder_in": str(_queue_dir / "queue"),
            "data_folder_out": str(_queue_dir / "queue"),
            "processed_folder": str(_queue_dir / "processed"),
            "control_folder": str(_queue_dir / "control"),
            "store_processed": False,
        }
        CELERY_TASK_ALWAYS_EAGER = False
        # The folder transport has no broadcast exchange for remote control; nothing here needs it.
        CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
    else:
        CELERY_BROKER_URL = "memory://"
        CELERY_TASK_ALWAYS_EAGER = True

CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = vars().get("CELERY_BROKER_TRANSPORT_OPTIONS_EMBEDDED") or {"visibility_timeout": 3600}
# A Redis outage must not wedge a publish for long: the outbox row is already committed
# and the sweep re-dispatches it (outbox/services.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "renotify-unclaimed": {"task": "escalations.renotify_unclaimed", "schedule": 60.0},
    # Maintenance schedules: a run per due time (idempotent, maintenance/services.py fire_schedule).
    "fire-maintenance-schedules": {"task": "maintenance.fire_schedules", "schedule": 60.0},
    # Last month's time-saved report to owners and admins, on the 1st at 07:00 (TIME_ZONE).
    "monthly-time-saved-email": {
        "task": "analytics.send_monthly_time_saved",
        "schedule": crontab(minute="0", hour="7", day_of_month="1"),
    },
    # Side effects whose task never reached a worker (broker down at commit, lost on a restart).
    "outbox-sweep": {"task": "outbox.sweep", "schedule": 15.0},
}

# --- Outbox (side effects of committed writes; outbox/) ----------------------
# A dispatched message that has not finished after this long is dispatched again (tasks are idempotent).
OUTBOX_REDISPATCH_AFTER_S = _strict("OUTBOX_REDISPATCH_AFTER_S", env.int, 90)
OUTBOX_MAX_ATTEMPTS = _strict("OUTBOX_MAX_ATTEMPTS", env.int, 8)

# --- Email ----------------------------------------------------------------
try:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
except Exception as exc:
    raise ImproperlyConfigured(f"Environment variable EMAIL_URL is malformed: {exc}") from exc
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ResolutionFlow <noreply@resolutionflow.local>")
EMAIL_TIMEOUT = 10

# --- AI -------------------------------------------------------------------
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = _url("ANTHROPIC_BASE_URL", None, ("http", "https"))
AI_PROVIDER = env.str("AI_PROVIDER", default="anthropic" if ANTHROPIC_API_KEY else "offline")
if AI_PROVIDER not in {"anthropic", "offline"}:
    raise ImproperlyConfigured(
        f"Environment variable AI_PROVIDER is malformed: expected anthropic or offline, got {AI_PROVIDER!r}"
    )
# Model routing (flowpilot/ai/routing.py): quick answers on the fast model, hard calls on the deep one.
# AI_MODEL, when set, is both (the single-model setting of earlier releases keeps working).
# Empty means "not set": routing falls back to AI_MODEL, then to its defaults (claude-haiku-5-5 fast,
# claude-sonnet-5-5 deep), resolved at call time so one override changes every path.
AI_MODEL = env.str("AI_MODEL", default="")
AI_MODEL_FAST = env.str("AI_MODEL_FAST", default="")
AI_MODEL_DEEP = env.str("AI_MODEL_DEEP", default="")
AI_TIMEOUT_S = _strict("AI_TIMEOUT_S", env.float, 30.0)
AI_MAX_RETRIES = _strict("AI_MAX_RETRIES", env.int, 1)
AI_ASSESSMENT_TIMEOUT_S = _strict("AI_ASSESSMENT_TIMEOUT_S", env.float, 15.0)

# --- Escalations ----------------------------------------------------------
ESCALATION_RENOTIFY_MINUTES = _strict("ESCALATION_RENOTIFY_MINUTES", env.int, 15)

# --- Field encryption (PSA keys) -------------------------------------------
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Environment variable FIELD_ENCRYPTION_KEY must be set when DEBUG is off")
    # A fixed development key: fine for a laptop demo, never for production.
    FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktcmVzb2x1dGlvbmZsb3ctZmVybmV0ayE="
else:
    import base64
    import binascii

    try:
        if len(base64.urlsafe_b64decode(FIELD_ENCRYPTION_KEY.encode())) != 32:
            raise ValueError("must decode to 32 bytes")
    except (ValueError, binascii.Error) as exc:
        raise ImproperlyConfigured(
            f"Environment variable FIELD_ENCRYPTION_KEY is malformed: a urlsafe base64 Fernet key is required ({exc})"
        ) from exc

# --- ConnectWise PSA -------------------------------------------------------
PSA_TIMEOUT_S = _strict("PSA_TIMEOUT_S", env.float, 10.0)
# Attempts per push, first included; retries are for timeouts and 5xx only.
PSA_PUSH_MAX_ATTEMPTS = _strict("PSA_PUSH_MAX_ATTEMPTS", env.int, 4)

# --- REST framework -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsAccountMember"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["resolutionflow.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "resolutionflow.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "resolutionflow.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min", "claim": "60/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ResolutionFlow API",
    "DESCRIPTION": "Troubleshooting sessions, escalations and metrics for MSP techs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from the vendored sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" field with different choices; name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "flowpilot.models.Session.Status",
        "StepStatusEnum": "flowpilot.models.Step.Status",
        "FlowStatusEnum": "flows.models.Flow.Status",
        "FlowKindEnum": "flows.models.Flow.Kind",
        "RunItemStatusEnum": "maintenance.models.RunItem.Status",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "resolutionflow.cache.ReusingRedisCache", "LOCATION": REDIS_URL}}

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Plain http on purpose (a lab, an internal host without TLS): the operator says so.
ALLOW_INSECURE_COOKIES = _bool("ALLOW_INSECURE_COOKIES", False)
if not DEBUG:
    _https = SITE_URL.startswith("https://")
    SESSION_COOKIE_SECURE = not ALLOW_INSECURE_COOKIES
    CSRF_COOKIE_SECURE = not ALLOW_INSECURE_COOKIES
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", _https)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _strict("SECURE_HSTS_SECONDS", env.int, 31536000 if _https else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preload-list submission is an operator's deliberate, hard-to-undo choice: opt in
    # with SECURE_HSTS_PRELOAD=1. Every other deploy warning is shown, never silenced.
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Proxies in front of the app that append to X-Forwarded-For; 0 = clients connect directly,
# so a forged header changes nothing (resolutionflow/client.py, DRF NUM_PROXIES, axes).
TRUSTED_PROXIES = _strict("TRUSTED_PROXIES", env.int, 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("Environment variable TRUSTED_PROXIES is malformed: expected 0 or more")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXIES

# ConnectWise sites on loopback/private addresses and over http (on-premise servers, test fakes).
PSA_ALLOW_PRIVATE_HOSTS = _bool("PSA_ALLOW_PRIVATE_HOSTS", False)

# API tokens expire this many days after issue (unset: never).
API_TOKEN_TTL_DAYS = _strict("API_TOKEN_TTL_DAYS", env.int, 0) if env.str("API_TOKEN_TTL_DAYS", "").strip() else None
if API_TOKEN_TTL_DAYS is not None and API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("Environment variable API_TOKEN_TTL_DAYS is malformed: expected 1 or more days")
# Seconds an API token's lookup stays cached (accounts/authentication.py: revoking or changing the
# user forgets it at once). Only with a cache every process shares (Redis): a per-process cache
# could not forget in the other processes. 0 turns it off.
API_TOKEN_CACHE_SECONDS = _strict("API_TOKEN_CACHE_SECONDS", env.int, 30) if REDIS_URL else 0
if API_TOKEN_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("Environment variable API_TOKEN_CACHE_SECONDS is malformed: expected 0 or more")
# Sign-in sessions read from Redis (kept in the database): a cached copy lives at most this long
# (resolutionflow/sessions.py). 0, or no REDIS_URL: sessions are read from the database.
SESSION_CACHE_SECONDS = _strict("SESSION_CACHE_SECONDS", env.int, 30) if REDIS_URL else 0
if SESSION_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("Environment variable SESSION_CACHE_SECONDS is malformed: expected 0 or more")
if SESSION_CACHE_SECONDS:
    SESSION_ENGINE = "resolutionflow.sessions"

# Login limits for the form (django-axes; per account and per client address, kept in the database).
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginLimitBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = _strict("LOGIN_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_strict("LOGIN_COOLOFF_MINUTES", env.int, 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "resolutionflow.client.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.backends.lockout_response"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
