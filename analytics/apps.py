from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from accounts import demo
        from accounts.context_processors import register_nav
        from accounts.models import ENGINEER_OR_ADMIN
        from analytics import demo as analytics_demo

        register_nav("Analytics", 30, "analytics:dashboard", ENGINEER_OR_ADMIN)

        demo.register_seeder("analytics", 30, analytics_demo.seed)
        # analytics sits on top: it contributes the queue's stat-card through escalations' hook
        # instead of escalations importing analytics (docs/architecture.md).
        from analytics.stat_card import queue_stat_card
        from escalations import hooks

        hooks.queue_stat_card.register(queue_stat_card)
