from django.apps import AppConfig


class PsaConfig(AppConfig):
    name = "flowpilot.psa"
    label = "psa"
    verbose_name = "ConnectWise PSA"

    def ready(self) -> None:
        # Registers the outbox handlers of the PSA side effects (pushes, push on escalate/resolve).
        from flowpilot.psa import hooks, tasks  # noqa: F401
