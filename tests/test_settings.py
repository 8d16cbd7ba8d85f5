"""Settings come from the environment; a malformed value stops start-up naming it."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parents[1] / "resolutionflow" / "settings.py"
ROOT = SETTINGS.parents[1]


def load(monkeypatch, **env) -> dict:
    for key in (
        "DATABASE_URL",
        "REDIS_URL",
        "DEBUG",
        "ANTHROPIC_API_KEY",
        "AI_PROVIDER",
        "EMAIL_URL",
        "SITE_URL",
        "TASK_QUEUE_DIR",
        "ALLOW_INSECURE_COOKIES",
        "SESSION_CACHE_SECONDS",
    ):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(SETTINGS))


def test_defaults_are_the_embedded_setup(monkeypatch):
    s = load(monkeypatch, DEBUG="1")
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is True
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert s["AI_PROVIDER"] == "offline"
    assert s["AI_ASSESSMENT_TIMEOUT_S"] == 15.0
    assert s["INSTALLED_APPS"][0] == "daphne"


def test_production_urls_select_postgres_redis_and_anthropic(monkeypatch):
    s = load(
        monkeypatch,
        DEBUG="1",
        DATABASE_URL="postgres://rf@db:5432/rf",
        REDIS_URL="redis://redis:6379/0",
        ANTHROPIC_API_KEY="sk-x",
        EMAIL_URL="smtp://mail:25",
    )
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "escalations.channel_layer.BlockingPoolRedisChannelLayer"
    assert s["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["AI_PROVIDER"] == "anthropic"
    assert s["EMAIL_HOST"] == "mail"
    # The shared cache keeps one Redis client per pool; sessions are read from it, kept in the database.
    assert s["CACHES"]["default"]["BACKEND"] == "resolutionflow.cache.ReusingRedisCache"
    assert (s["SESSION_ENGINE"], s["SESSION_CACHE_SECONDS"]) == ("resolutionflow.sessions", 30)


def test_sessions_stay_in_the_database_without_redis_or_when_told(monkeypatch):
    assert load(monkeypatch, DEBUG="1")["SESSION_CACHE_SECONDS"] == 0
    assert "SESSION_ENGINE" not in load(monkeypatch, DEBUG="1")
    told = load(monkeypatch, DEBUG="1", REDIS_URL="redis://redis:6379/0", SESSION_CACHE_SECONDS="0")
    assert "SESSION_ENGINE" not in told
    with pytest.raises(ImproperlyConfigured, match="SESSION_CACHE_SECONDS"):
        load(monkeypatch, DEBUG="1", REDIS_URL="redis://redis:6379/0", SESSION_CACHE_SECONDS="-1")


def test_postgres_pools_connections_per_process_instead_of_keeping_one_per_thread(monkeypatch):
    monkeypatch.delenv("DB_POOL_MAX_SIZE", raising=False)
    database = load(monkeypatch, DATABASE_URL="postgres://rf@db:5432/rf")["DATABASES"]["default"]
    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10}
    assert database["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections


def test_db_pool_max_size_zero_falls_back_to_persistent_connections(monkeypatch):
    database = load(monkeypatch, DATABASE_URL="postgres://rf@db:5432/rf", DB_POOL_MAX_SIZE="0")["DATABASES"]
    assert "pool" not in database["default"].get("OPTIONS", {})
    assert database["default"]["CONN_MAX_AGE"] == 60
    with pytest.raises(ImproperlyConfigured, match="DB_POOL_MAX_SIZE"):
        load(monkeypatch, DATABASE_URL="postgres://rf@db:5432/rf", DB_POOL_MAX_SIZE="ten")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("REDIS_URL", "localhost:6379"),
        ("AI_ASSESSMENT_TIMEOUT_S", "fifteen"),
        ("SITE_URL", "example.com"),
        ("ANTHROPIC_BASE_URL", "ftp://x"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("EMAIL_URL", "pigeon://x"),
        ("FIELD_ENCRYPTION_KEY", "short"),
        ("AI_PROVIDER", "oracle"),
        ("ESCALATION_RENOTIFY_MINUTES", "soon"),
    ],
)
def test_malformed_value_names_the_variable(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        load(monkeypatch, **{name: value})


def test_secret_key_is_required_without_debug(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load(monkeypatch, DEBUG="0")


def test_deploy_check_is_clean_behind_https():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "resolutionflow.settings",
        "DEBUG": "0",
        "SECRET_KEY": "a-very-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "SITE_URL": "https://rf.example.com",
        "ALLOWED_HOSTS": "rf.example.com",
        "FIELD_ENCRYPTION_KEY": "ZGV2LW9ubHktcmVzb2x1dGlvbmZsb3ctZmVybmV0ayE=",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- issue 20 item 7: safe without effort ------------------------------------------------


PRODUCTION = {
    "SECRET_KEY": "a-very-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "FIELD_ENCRYPTION_KEY": "ZGV2LW9ubHktcmVzb2x1dGlvbmZsb3ctZmVybmV0ayE=",
}


def test_debug_is_off_unless_set(monkeypatch):
    s = load(monkeypatch, **PRODUCTION)
    assert s["DEBUG"] is False


def test_debug_off_without_secrets_stops_start_up(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load(monkeypatch)


def test_cookies_are_secure_whenever_debug_is_off_even_on_http(monkeypatch):
    s = load(monkeypatch, SITE_URL="http://rf.internal", **PRODUCTION)
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True


def test_insecure_cookies_only_when_the_operator_says_so(monkeypatch):
    s = load(monkeypatch, SITE_URL="http://rf.internal", ALLOW_INSECURE_COOKIES="1", **PRODUCTION)
    assert s["SESSION_COOKIE_SECURE"] is False and s["CSRF_COOKIE_SECURE"] is False


def test_no_deploy_warning_is_silenced_but_the_preload_choice(monkeypatch):
    s = load(monkeypatch, SITE_URL="http://rf.internal", **PRODUCTION)
    assert s["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]


@pytest.mark.parametrize(
    "name",
    [
        "ALLOW_INSECURE_COOKIES",
        "PSA_ALLOW_PRIVATE_HOSTS",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_PRELOAD",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    ],
)
def test_every_boolean_is_strict_and_named(monkeypatch, name):
    # django-environ's bool() reads "ture" as False; a typo must stop start-up instead.
    with pytest.raises(ImproperlyConfigured, match=name):
        load(monkeypatch, **{name: "ture"}, **PRODUCTION)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRUSTED_PROXIES", "two"),
        ("TRUSTED_PROXIES", "-1"),
        ("API_TOKEN_TTL_DAYS", "a week"),
    ],
)
def test_security_numbers_are_strict(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        load(monkeypatch, **{name: value})


def test_rf_testing_is_gone():
    assert "RF_TESTING" not in SETTINGS.read_text()


def test_embedded_worker_uses_a_folder_broker(monkeypatch, tmp_path):
    s = load(monkeypatch, DEBUG="1", TASK_QUEUE_DIR=str(tmp_path / "tasks"))
    assert s["CELERY_BROKER_URL"] == "filesystem://"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(tmp_path / "tasks" / "queue")
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert "outbox-sweep" in s["CELERY_BEAT_SCHEDULE"]
