"""`/account/`: settings, notification preferences and user management."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("preferences/", views.update_preferences, name="preferences"),
    path("users/", views.invite_user, name="invite"),
    path("users/<uuid:user_id>/role/", views.change_role, name="change_role"),
    path("users/<uuid:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("users/<uuid:user_id>/reactivate/", views.reactivate, name="reactivate"),
    path("users/<uuid:user_id>/transfer-ownership/", views.transfer_ownership, name="transfer_ownership"),
]
