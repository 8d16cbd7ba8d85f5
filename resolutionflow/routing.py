"""WebSocket URL routes, kept apart from asgi.py so tests can build the app."""

from django.urls import path

from escalations.consumers import EscalationQueueConsumer
from maintenance.consumers import RunGridConsumer

websocket_urlpatterns = [
    path("ws/escalations/", EscalationQueueConsumer.as_asgi()),
    path("ws/runs/<uuid:run_id>/", RunGridConsumer.as_asgi()),
]
