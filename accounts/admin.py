from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.models import Account, Team, User


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "created_at")
    search_fields = ("name", "code")
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "account")
    list_filter = ("account",)
    search_fields = ("name", "account__name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "account", "account_role", "team", "is_active", "is_staff")
    list_editable = ("account_role",)
    list_filter = ("account_role", "is_active", "is_staff", "email_notifications", "account")
    search_fields = ("email", "name", "account__name", "account__code")
    autocomplete_fields = ("account",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "account", "team", "account_role", "email_notifications")}),
        ("Operator access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "name", "account", "account_role", "password1", "password2")},
        ),
    )

    def save_model(self, request, obj, form, change):
        # Operators edit is_active and the role here (also from the list): revoke like the in-app pages do.
        before = User.objects.filter(pk=obj.pk).values("is_active", "account_role").first() if change else None
        super().save_model(request, obj, form, change)
        if before:
            services.after_operator_change(obj, was_active=before["is_active"], old_role=before["account_role"])

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.filter(pk=id).first()
            if user is not None:
                services.password_changed(user)
        return response
