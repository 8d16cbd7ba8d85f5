"""`/psa/`: connection settings, ticket lookup and the session push panel."""

from django.urls import path

from flowpilot.psa import views

app_name = "psa"
urlpatterns = [
    path("connection/", views.save_connection, name="connection"),
    path("members/", views.save_members, name="members"),
    path("connection/test/", views.test_connection, name="connection_test"),
    path("tickets/lookup/", views.ticket_lookup, name="ticket_lookup"),
    path("sessions/<uuid:session_id>/push/", views.push_notes, name="push_notes"),
    path("sessions/<uuid:session_id>/panel/", views.session_panel, name="session_panel"),
]
