"""Operators may look at share links; revoking goes through the service (an admin action)."""

from django.contrib import admin, messages

from sharing import services
from sharing.models import ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["session", "account", "visibility", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["visibility", "account"]
    raw_id_fields = ["session", "created_by"]
    readonly_fields = [f.name for f in ShareLink._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected links now")
    def revoke(self, request, queryset):
        for link in queryset.filter(revoked_at=None):
            services.revoke_as_operator(link)
        messages.success(request, "Revoked.")
