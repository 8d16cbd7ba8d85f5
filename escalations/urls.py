from django.urls import path

from escalations import views

app_name = "escalations"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/rows/", views.queue_rows, name="queue-rows"),
    path("sessions/<str:session_id>/escalate/", views.escalate, name="escalate"),
    path("sessions/<str:session_id>/park/", views.park, name="park"),
    path("<str:handoff_id>/", views.context, name="context"),
    path("<str:handoff_id>/panel/", views.context_panel, name="context-panel"),
    path("<str:handoff_id>/assessment/", views.assessment, name="assessment"),
    path("<str:handoff_id>/claim/", views.claim, name="claim"),
    path("<str:handoff_id>/start/", views.start, name="start"),
    path("<str:handoff_id>/release/", views.release, name="release"),
    path("<str:handoff_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:handoff_id>/dismiss/", views.dismiss, name="dismiss"),
]
