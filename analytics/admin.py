from django.contrib import admin

from analytics.models import BaselineEntry


@admin.register(BaselineEntry)
class BaselineEntryAdmin(admin.ModelAdmin):
    list_display = ["ticket_ref", "account", "recorded_by", "opened_at", "first_action_at", "created_at"]
    list_filter = ["account"]
    search_fields = ["ticket_ref", "note", "recorded_by__email"]
    list_select_related = ["account", "recorded_by"]
    raw_id_fields = ["recorded_by"]
    date_hierarchy = "opened_at"
