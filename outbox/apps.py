from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox (side effects of committed writes)"
    default_auto_field = "django.db.models.BigAutoField"
