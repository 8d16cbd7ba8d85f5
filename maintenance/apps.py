from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "Maintenance runs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # maintenance sits above flows: it registers its nav entry (with the overdue count)
        # and its demo part instead of a lower app importing it (docs/architecture.md).
        from accounts import demo
        from accounts.context_processors import register_nav
        from maintenance import demo as maintenance_demo
        from maintenance.selectors import overdue_count

        register_nav("Runs", 28, "maintenance:list", count=overdue_count, count_label="overdue")
        demo.register_seeder("maintenance", 28, maintenance_demo.seed)
