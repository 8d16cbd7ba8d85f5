"""Operators' read-only view of assistant conversations: they are a record, changed only by the service."""

from django.contrib import admin

from assistant.models import AssistantConversation, AssistantMessage


class MessageInline(admin.TabularInline):
    model = AssistantMessage
    fields = ("role", "text", "model", "tier", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AssistantConversation)
class AssistantConversationAdmin(admin.ModelAdmin):
    list_display = ("title", "account", "user", "session", "updated_at")
    list_filter = ("account",)
    search_fields = ("title",)
    inlines = [MessageInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
