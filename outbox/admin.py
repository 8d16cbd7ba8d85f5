from django.contrib import admin

from outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: operators see what is pending or failed; the sweep does the re-sending."""

    list_display = ["kind", "status", "attempts", "created_at", "dispatched_at", "done_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
