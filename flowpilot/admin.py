"""Operator admin: sessions and steps across accounts.

Not a second write path: a session's lifecycle (status, assignee, resolve), step
results and the activity log are read-only here; they change through
`flowpilot.services`, which records the Activity and queues the side effects.
"""

from django.contrib import admin

from flowpilot.models import Activity, Session, Step
from flowpilot.search import refresh_search_vector

# A step's result is recorded by `record_result` (Activity, first action); only its wording is editable.
STEP_RESULT_FIELDS = ["status", "result_note", "output", "output_truncated", "is_dead_end"]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "title", "source", "status", "is_dead_end", "output_truncated"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["problem_summary", "account", "status", "problem_domain", "owner", "assignee", "created_at"]
    list_filter = ["status", "problem_domain", "account"]
    search_fields = ["problem_summary", "client_name", "ticket_ref", "owner__email"]
    readonly_fields = ["account", "owner", "status", "assignee", "resolved_at", "resolution_summary", "created_at"]
    date_hierarchy = "created_at"
    inlines = [StepInline]

    def has_add_permission(self, request) -> bool:
        # Sessions are opened by `open_session` (the OPENED Activity), from the app or the API.
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search_vector(form.instance.pk)


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "status", "source", "is_dead_end", "created_at"]
    list_filter = ["status", "source", "is_dead_end"]
    search_fields = ["title", "session__problem_summary"]
    readonly_fields = ["session", "account", "order", "source", "created_by", "created_at", *STEP_RESULT_FIELDS]

    def save_model(self, request, obj, form, change):
        obj.account_id = obj.session.account_id
        super().save_model(request, obj, form, change)
        refresh_search_vector(obj.session_id)

    def has_add_permission(self, request) -> bool:
        # Steps are added by `add_step` or the copilot, which record them as Activity.
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Append-only: operators may look, never add, change or delete."""

    list_display = ["created_at", "kind", "session", "actor", "account"]
    list_filter = ["kind", "account"]
    search_fields = ["session__problem_summary", "actor__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
