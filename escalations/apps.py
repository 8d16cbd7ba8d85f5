from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        # escalations sits above flowpilot: it subscribes to session events here
        # instead of flowpilot importing escalations (docs/architecture.md).
        from escalations import selectors
        from escalations.first_action import note_first_action
        from escalations.services import close_on_resolve
        from flowpilot import hooks

        hooks.activity_recorded.register(note_first_action)
        hooks.session_resolved.register(close_on_resolve)
        hooks.session_page.register(selectors.session_page)
