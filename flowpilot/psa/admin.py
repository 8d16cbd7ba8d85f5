"""Operators see connections (never the keys) and the push log across accounts."""

from django.contrib import admin

from flowpilot.psa.models import PsaConnection, PsaPush


@admin.register(PsaConnection)
class PsaConnectionAdmin(admin.ModelAdmin):
    list_display = ["account", "site", "company_id", "push_notes_on_resolve", "push_package_on_escalate", "updated_at"]
    # Keys are set in-app or with `psa_connect`; the admin never shows or edits them.
    exclude = ["public_key_encrypted", "private_key_encrypted"]
    readonly_fields = ["account", "updated_at", "updated_by"]


@admin.register(PsaPush)
class PsaPushAdmin(admin.ModelAdmin):
    list_display = ["created_at", "account", "kind", "ticket_ref", "status", "http_status", "external_id", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["ticket_ref", "external_id"]
    readonly_fields = [f.name for f in PsaPush._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
