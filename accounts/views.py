"""Home redirect, account settings and in-app user management."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import services
from accounts.access import account_required, get_for_account, role_required, scoped
from accounts.forms import ChangeRoleForm, InviteUserForm, PreferencesForm
from accounts.home import home_url
from accounts.models import ADMIN_OR_OWNER, Role, User
from accounts.settings_panels import render_settings_panels
from resolutionflow.domain import DomainError


def home(request):
    """The first home an app registered for this member (accounts/home.py); operators go to admin."""
    user = request.user
    if user.account_id is None:
        return redirect("admin:index" if user.is_staff else "login")
    return redirect(home_url(user))


def _settings_context(request, **extra) -> dict:
    user = request.user
    context = {
        "preferences_form": PreferencesForm(initial={"email_notifications": user.email_notifications}),
        "can_manage_users": user.is_admin_or_owner,
        "roles": [r for r in Role if r != Role.OWNER],
        "app_panels": render_settings_panels(request),
    }
    if user.is_admin_or_owner:
        context["members"] = scoped(User, user).select_related("team").order_by("-is_active", "name", "email")
        context["invite_form"] = extra.pop("invite_form", None) or InviteUserForm()
    context.update(extra)
    return context


@require_GET
@account_required
def settings_page(request):
    return render(request, "accounts/settings.html", _settings_context(request))


@require_POST
@account_required
def update_preferences(request):
    form = PreferencesForm(request.POST)
    form.is_valid()
    services.set_email_notifications(request.user, form.cleaned_data.get("email_notifications", False))
    messages.success(request, "Notification preferences saved.")
    return redirect("accounts:settings")


@require_POST
@role_required(ADMIN_OR_OWNER)
def invite_user(request):
    form = InviteUserForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/settings.html", _settings_context(request, invite_form=form), status=400)
    try:
        services.invite_user(request.user, **form.cleaned_data)
    except DomainError as exc:
        form.add_error("email", exc.message)
        return render(request, "accounts/settings.html", _settings_context(request, invite_form=form), status=400)
    # Same words whether or not the address belongs to another account (services.invite_user).
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    return redirect("accounts:settings")


def _member_action(request, user_id, action, success: str):
    target = get_for_account(User, request.user, pk=user_id)
    try:
        action(target)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:settings")
    messages.success(request, success.format(name=target.display_name))
    return redirect("accounts:settings")


@require_POST
@role_required(ADMIN_OR_OWNER)
def change_role(request, user_id):
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        get_for_account(User, request.user, pk=user_id)
        messages.error(request, "Choose admin, engineer or viewer.")
        return redirect("accounts:settings")
    role = form.cleaned_data["role"]
    return _member_action(
        request, user_id, lambda t: services.change_role(request.user, t, role), "{name} is now " + role + "."
    )


@require_POST
@role_required(ADMIN_OR_OWNER)
def deactivate(request, user_id):
    return _member_action(
        request, user_id, lambda t: services.set_active(request.user, t, False), "{name} was deactivated."
    )


@require_POST
@role_required(ADMIN_OR_OWNER)
def reactivate(request, user_id):
    return _member_action(
        request, user_id, lambda t: services.set_active(request.user, t, True), "{name} was reactivated."
    )


@require_POST
@role_required([Role.OWNER])
def transfer_ownership(request, user_id):
    return _member_action(
        request, user_id, lambda t: services.transfer_ownership(request.user, t), "{name} is now the owner."
    )
