from django.contrib import admin

from analytics.models import BaselineEntry, EmailPreference, TimeSavedEmail


@admin.register(BaselineEntry)
class BaselineEntryAdmin(admin.ModelAdmin):
    list_display = ["ticket_ref", "kind", "account", "recorded_by", "opened_at", "first_action_at", "created_at"]
    list_filter = ["account", "kind"]
    search_fields = ["ticket_ref", "note", "recorded_by__email"]
    list_select_related = ["account", "recorded_by"]
    raw_id_fields = ["recorded_by"]
    date_hierarchy = "opened_at"


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "monthly_time_saved", "updated_at"]
    list_filter = ["monthly_time_saved"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(TimeSavedEmail)
class TimeSavedEmailAdmin(admin.ModelAdmin):
    """The delivery log: visible to operators, never edited by hand."""

    list_display = ["month", "account", "recipient", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "month", "account"]
    search_fields = ["recipient__email"]
    list_select_related = ["account", "recipient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
