"""Django admin (operators, across accounts): handoffs and per-user unread state."""

from django.contrib import admin

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
    raw_id_fields = ["session", "handed_off_by", "claimed_by"]
    readonly_fields = ["id", "snapshot", "ai_assessment", "first_action_at", "created_at"]
    date_hierarchy = "created_at"


@admin.register(HandoffView)
class HandoffViewAdmin(admin.ModelAdmin):
    list_display = ["handoff", "user", "opened_at", "dismissed_at"]
    list_filter = ["handoff__account"]
    search_fields = ["user__email", "handoff__session__problem_summary"]
    list_select_related = ["handoff__session", "user"]
    raw_id_fields = ["handoff", "user"]


# The delivery log's admin lives with the live-delivery code; importing registers it.
from escalations import admin_notifications  # noqa: E402, F401
