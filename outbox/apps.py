from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox (side effects of committed writes)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the outbox's Celery tasks in every process (web, worker, commands).
        from outbox import tasks  # noqa: F401
