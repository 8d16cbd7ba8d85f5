from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        # escalations sits above flowpilot and accounts: it subscribes to session events and
        # offers its home, demo and PSA package here instead of them importing escalations
        # (docs/architecture.md).
        from accounts import demo, home
        from accounts.context_processors import register_nav

        # Importing tasks (and psa_package) registers the outbox handlers: assessment, email fan-out,
        # one email, the escalation package push.
        from escalations import demo as escalations_demo
        from escalations import tasks  # noqa: F401
        from escalations.first_action import note_first_action
        from escalations.home import queue_for_seniors
        from escalations.psa_package import render_for_push
        from escalations.services import close_on_resolve
        from escalations.session_page import session_page_slots
        from flowpilot import hooks
        from flowpilot.psa.models import PsaPush
        from flowpilot.psa.packages import register_package

        hooks.activity_recorded.register(note_first_action)
        hooks.session_resolved.register(close_on_resolve)
        hooks.session_page.register(session_page_slots)
        register_nav("Escalations", 20, "escalations:queue")
        home.register_home("escalations.queue", 10, queue_for_seniors)
        demo.register_seeder("escalations", 20, escalations_demo.seed)
        register_package(PsaPush.Kind.ESCALATION, render_for_push)
