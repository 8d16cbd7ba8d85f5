from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from accounts import demo
        from analytics import demo as analytics_demo

        demo.register_seeder("analytics", 30, analytics_demo.seed)
