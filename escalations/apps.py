from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        # escalations sits above flowpilot: it subscribes to session events here
        # instead of flowpilot importing escalations (docs/architecture.md).
        from escalations.first_action import note_first_action
        from flowpilot import hooks

        hooks.activity_recorded.register(note_first_action)
        # Registers the outbox handlers (assessment, email fan-out, one email).
        from escalations import tasks  # noqa: F401
