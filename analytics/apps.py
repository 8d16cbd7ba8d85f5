from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # analytics sits on top: it contributes the queue's stat-card through escalations' hook
        # instead of escalations importing analytics (docs/architecture.md).
        from analytics.stat_card import queue_stat_card
        from escalations import hooks

        hooks.queue_stat_card.register(queue_stat_card)
