"""Operator admin: sessions and steps across accounts; the activity log is read-only."""

from django.contrib import admin

from flowpilot.models import Activity, Session, Step
from flowpilot.search import refresh_search_vector


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "title", "source", "status", "is_dead_end", "output_truncated"]
    readonly_fields = ["output_truncated"]
    show_change_link = True


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["problem_summary", "account", "status", "problem_domain", "owner", "assignee", "created_at"]
    list_filter = ["status", "problem_domain", "account"]
    search_fields = ["problem_summary", "client_name", "ticket_ref", "owner__email"]
    raw_id_fields = ["owner", "assignee"]
    date_hierarchy = "created_at"
    inlines = [StepInline]

    def save_formset(self, request, form, formset, change):
        # Steps carry their session's account; the inline form does not show it.
        for step in formset.save(commit=False):
            step.account_id = form.instance.account_id
            step.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search_vector(form.instance.pk)


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "status", "source", "is_dead_end", "created_at"]
    list_filter = ["status", "source", "is_dead_end"]
    search_fields = ["title", "session__problem_summary"]
    raw_id_fields = ["session", "created_by"]
    readonly_fields = ["account"]

    def save_model(self, request, obj, form, change):
        obj.account_id = obj.session.account_id
        super().save_model(request, obj, form, change)
        refresh_search_vector(obj.session_id)


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
