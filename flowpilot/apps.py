from django.apps import AppConfig
from django.urls import reverse


def session_list_home(user) -> str:
    """Everyone else's home: the session list."""
    return reverse("flowpilot:list")


class FlowpilotConfig(AppConfig):
    name = "flowpilot"
    verbose_name = "FlowPilot sessions"

    def ready(self) -> None:
        from accounts import demo, home
        from accounts.context_processors import register_nav
        from flowpilot import demo as flowpilot_demo

        register_nav("Sessions", 10, "flowpilot:list")
        home.register_home("flowpilot.sessions", 100, session_list_home)
        demo.register_seeder("flowpilot", 10, flowpilot_demo.seed)
        demo.register_seeder("search index", 1000, flowpilot_demo.index_all)
