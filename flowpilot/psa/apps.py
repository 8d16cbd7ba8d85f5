from django.apps import AppConfig


class PsaConfig(AppConfig):
    name = "flowpilot.psa"
    label = "psa"
    verbose_name = "ConnectWise PSA"

    def ready(self) -> None:
        from accounts.settings_panels import register_settings_panel

        # Importing these registers the outbox handlers of the PSA side effects (pushes, push on resolve).
        from flowpilot.psa import hooks, tasks  # noqa: F401
        from flowpilot.psa.panels import connection_card, members_card

        register_settings_panel("psa.connection", 10, connection_card)
        register_settings_panel("psa.members", 11, members_card)
