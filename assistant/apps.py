from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = "Quick assistant and command palette"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # assistant is the top app: it registers its own palette sources and navigation entry;
        # nothing imports it (docs/architecture.md).
        from accounts.context_processors import register_nav
        from accounts.models import ENGINEER_OR_ADMIN
        from assistant import sources
        from assistant.palette import register_source

        register_source("actions", 10, "Actions", sources.actions, limit=len(sources.ACTIONS))
        register_source("sessions", 20, "Sessions", sources.sessions)
        register_source("escalations", 30, "Open escalations", sources.escalations)
        register_source("flows", 40, "Flows", sources.flows)
        register_source("runs", 50, "Maintenance runs", sources.runs)
        register_source("search", 90, "More", sources.search_everything)
        register_nav("Assistant", 27, "assistant:home", ENGINEER_OR_ADMIN)
