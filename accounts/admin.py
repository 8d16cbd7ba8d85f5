from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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
