from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Share links"

    def ready(self) -> None:
        # sharing sits directly above flowpilot: its panel joins the session page
        # through a flowpilot hook instead of flowpilot importing sharing.
        from flowpilot import hooks
        from sharing.panels import session_panel

        hooks.session_page.register(session_panel)
