"""Django admin for the delivery log (imported by escalations/admin.py)."""

from django.contrib import admin, messages
from django.db import transaction

from escalations import delivery
from escalations.models import NotificationLog
from escalations.tasks import send_emails


@admin.register(NotificationLog)
class NotificationLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "account", "handoff", "channel", "purpose", "recipient", "status", "attempts")
    list_filter = ("status", "channel", "purpose", "account", "created_at")
    search_fields = ("recipient__email", "recipient__name", "last_error", "handoff__session__problem_summary")
    list_select_related = ("account", "handoff__session", "recipient")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in NotificationLog._meta.fields]
    actions = ["resend_failed"]

    def has_add_permission(self, request) -> bool:
        # Rows are written by the delivery code only; operators read them and re-send failures.
        return False

    @admin.action(description="Re-send selected failed emails")
    def resend_failed(self, request, queryset):
        failed = queryset.filter(channel=NotificationLog.Channel.EMAIL, status=NotificationLog.Status.FAILED)
        with transaction.atomic():
            ids = [pk for pk in failed.values_list("pk", flat=True) if delivery.requeue(pk)]
            send_emails(ids)
        self.message_user(request, f"Queued {len(ids)} email(s) again.", messages.SUCCESS)
