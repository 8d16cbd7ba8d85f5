"""Share-link pages; mounted at the site root (they live under three prefixes)."""

from django.urls import path

from sharing import views

app_name = "sharing"
urlpatterns = [
    path("s/<str:token>/", views.public, name="public"),
    path("sessions/<uuid:session_id>/shares/", views.create, name="create"),
    path("account/shares/", views.manage, name="manage"),
    path("account/shares/<uuid:link_id>/revoke/", views.revoke, name="revoke"),
]
