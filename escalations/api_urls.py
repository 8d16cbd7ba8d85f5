from django.urls import path

from escalations import api

urlpatterns = [
    path("sessions/<str:pk>/handoffs/", api.SessionHandoffCreate.as_view(), name="api-session-handoffs"),
    path("handoffs/<str:pk>/", api.HandoffDetail.as_view(), name="api-handoff"),
    path("handoffs/<str:pk>/claim/", api.HandoffClaim.as_view(), name="api-handoff-claim"),
    path("handoffs/<str:pk>/release/", api.HandoffRelease.as_view(), name="api-handoff-release"),
    path("handoffs/<str:pk>/withdraw/", api.HandoffWithdraw.as_view(), name="api-handoff-withdraw"),
    path("queue/", api.QueueList.as_view(), name="api-queue"),
]
