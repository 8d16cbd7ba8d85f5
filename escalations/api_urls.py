from django.urls import path

from escalations import api

urlpatterns = [
    path("sessions/<uuid:pk>/handoffs/", api.SessionHandoffCreate.as_view(), name="api-session-handoffs"),
    path("handoffs/<uuid:pk>/", api.HandoffDetail.as_view(), name="api-handoff"),
    path("handoffs/<uuid:pk>/claim/", api.HandoffClaim.as_view(), name="api-handoff-claim"),
    path("handoffs/<uuid:pk>/release/", api.HandoffRelease.as_view(), name="api-handoff-release"),
    path("handoffs/<uuid:pk>/withdraw/", api.HandoffWithdraw.as_view(), name="api-handoff-withdraw"),
    path("queue/", api.QueueList.as_view(), name="api-queue"),
]
