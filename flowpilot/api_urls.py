from django.urls import path

from flowpilot import api

urlpatterns = [
    path("sessions/", api.SessionListView.as_view(), name="api-sessions"),
    path("sessions/<uuid:session_id>/", api.SessionDetailView.as_view(), name="api-session"),
    path("sessions/<uuid:session_id>/steps/", api.SessionStepsView.as_view(), name="api-session-steps"),
    path("sessions/<uuid:session_id>/messages/", api.SessionMessagesView.as_view(), name="api-session-messages"),
    path("sessions/<uuid:session_id>/resolve/", api.SessionResolveView.as_view(), name="api-session-resolve"),
    path("sessions/<uuid:session_id>/notes/", api.SessionNotesView.as_view(), name="api-session-notes"),
]
