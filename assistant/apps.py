from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = "Quick assistant and command palette"
    default_auto_field = "django.db.models.BigAutoField"
