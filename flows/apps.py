from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "Guided flows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # flows sits above flowpilot and escalations: it fills their named hooks
        # instead of either importing flows (docs/architecture.md).
        from accounts import demo
        from accounts.context_processors import register_nav
        from accounts.models import ADMIN_OR_OWNER
        from flowpilot import hooks
        from flows import demo as flows_demo
        from flows import loop_demo, receivers, selectors

        hooks.session_page.register(receivers.session_page)
        hooks.new_session_panels.register(receivers.new_session_panels)
        hooks.new_session_panels.register(receivers.new_session_similar)
        hooks.session_facts.register(receivers.session_facts)
        hooks.session_api_fields.register(receivers.session_api_fields)
        hooks.ticket_notes_sections.register(receivers.ticket_notes_sections)
        hooks.session_resolved.register(receivers.session_resolved)
        hooks.knowledge_context.register(receivers.knowledge_context)
        register_nav("Flows", 25, "flows:list")
        register_nav("Proposals", 26, "flows:proposals", ADMIN_OR_OWNER, count=selectors.pending_proposals)
        demo.register_seeder("flows", 25, flows_demo.seed)
        demo.register_seeder("knowledge loop", 26, loop_demo.seed)
