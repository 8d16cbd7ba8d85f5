"""Django admin (operators, across accounts): handoffs and per-user unread state.

Not a second write path: the lifecycle (claim, withdraw, release, first action,
assessment) is read-only here; state changes go through `escalations.services`.
"""

from django.contrib import admin, messages

from escalations import services
from escalations.models import Handoff, HandoffView


class ClaimedFilter(admin.SimpleListFilter):
    title = "claimed"
    parameter_name = "claimed"

    def lookups(self, request, model_admin):
        return [("yes", "Claimed"), ("no", "Unclaimed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(claimed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(claimed_at__isnull=True)
        return queryset


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    list_display = [
        "session",
        "account",
        "intent",
        "priority",
        "handed_off_by",
        "created_at",
        "claimed_by",
        "claimed_at",
        "withdrawn_at",
        "released_at",
        "assessment_status",
    ]
    list_filter = ["intent", ClaimedFilter, "priority", "account", "assessment_status"]
    search_fields = ["session__problem_summary", "engineer_notes", "handed_off_by__email", "claimed_by__email"]
    list_select_related = ["session", "account", "handed_off_by", "claimed_by"]
    # Everything but the escalator's words is lifecycle or history.
    readonly_fields = [
        "id",
        "session",
        "account",
        "handed_off_by",
        "intent",
        "snapshot",
        "assessment_status",
        "ai_assessment",
        "claimed_by",
        "claimed_at",
        "withdrawn_at",
        "released_at",
        "first_action_at",
        "created_at",
    ]
    date_hierarchy = "created_at"
    actions = ["retry_assessment"]

    def has_add_permission(self, request) -> bool:
        # A handoff is created by escalate/park (snapshot, Activity, broadcast), never by hand.
        return False

    @admin.action(description="Retry the AI assessment of selected unavailable escalations")
    def retry_assessment(self, request, queryset):
        retried = sum(services.retry_assessment(handoff) for handoff in queryset)
        self.message_user(request, f"Queued {retried} assessment(s) again.", messages.SUCCESS)


@admin.register(HandoffView)
class HandoffViewAdmin(admin.ModelAdmin):
    list_display = ["handoff", "user", "opened_at", "dismissed_at"]
    list_filter = ["handoff__account"]
    search_fields = ["user__email", "handoff__session__problem_summary"]
    list_select_related = ["handoff__session", "user"]
    # Unread state is written by the product (open, claim, dismiss); operators only look.
    readonly_fields = ["handoff", "user", "opened_at", "dismissed_at"]

    def has_add_permission(self, request) -> bool:
        return False


# The delivery log's admin lives with the live-delivery code; importing registers it.
from escalations import admin_notifications  # noqa: E402, F401
