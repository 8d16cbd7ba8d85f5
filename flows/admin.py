"""Operators' view of flows. Published versions are read-only; lifecycle changes go through the pages."""

from django.contrib import admin

from flows.models import Flow, FlowProposal, FlowRun, FlowVersion, LibraryStep


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ("title", "account", "kind", "problem_domain", "status", "latest_version", "updated_at")
    list_filter = ("status", "kind", "problem_domain", "account")
    search_fields = ("title", "description")
    # Status and version numbers change only through publish/archive (flows.services).
    readonly_fields = ("status", "latest_version", "search_text", "created_by", "created_at", "updated_at")
    exclude = ("search_vector",)


@admin.register(FlowVersion)
class FlowVersionAdmin(ReadOnlyAdmin):
    list_display = ("title", "number", "account", "published_by", "published_at")
    list_filter = ("account",)


@admin.register(FlowRun)
class FlowRunAdmin(ReadOnlyAdmin):
    list_display = ("flow", "session", "current", "outcome", "started_at", "ended_at")
    list_filter = ("outcome", "account")


@admin.register(LibraryStep)
class LibraryStepAdmin(admin.ModelAdmin):
    list_display = ("title", "account", "problem_domain", "usage_count", "thumbs_up", "thumbs_down")
    list_filter = ("account", "problem_domain")
    readonly_fields = ("usage_count", "thumbs_up", "thumbs_down")


@admin.register(FlowProposal)
class FlowProposalAdmin(ReadOnlyAdmin):
    """Read-only: proposals are accepted or rejected on /flows/proposals/ (flows.proposals)."""

    list_display = ("title", "account", "status", "flow", "problem_domain", "reviewer", "updated_at")
    list_filter = ("status", "account", "problem_domain")
    search_fields = ("title", "rationale")
