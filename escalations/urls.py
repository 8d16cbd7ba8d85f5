from django.urls import path

from escalations import views

app_name = "escalations"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/rows/", views.queue_rows, name="queue-rows"),
    path("sessions/<uuid:session_id>/escalate/", views.escalate, name="escalate"),
    path("sessions/<uuid:session_id>/park/", views.park, name="park"),
    path("<uuid:handoff_id>/", views.context, name="context"),
    path("<uuid:handoff_id>/panel/", views.context_panel, name="context-panel"),
    path("<uuid:handoff_id>/assessment/", views.assessment, name="assessment"),
    path("<uuid:handoff_id>/claim/", views.claim, name="claim"),
    path("<uuid:handoff_id>/start/", views.start, name="start"),
    path("<uuid:handoff_id>/release/", views.release, name="release"),
    path("<uuid:handoff_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:handoff_id>/dismiss/", views.dismiss, name="dismiss"),
]
