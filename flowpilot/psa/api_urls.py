from django.urls import path

from flowpilot.psa import api

urlpatterns = [
    path("sessions/<uuid:session_id>/psa/push/", api.PushNotesView.as_view(), name="api-psa-push"),
    path("sessions/<uuid:session_id>/psa/pushes/", api.PushListView.as_view(), name="api-psa-pushes"),
]
