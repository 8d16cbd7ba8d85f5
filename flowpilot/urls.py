from django.urls import path

from flowpilot import views

app_name = "flowpilot"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_new, name="new"),
    path("<uuid:session_id>/", views.session_detail, name="detail"),
    path("<uuid:session_id>/messages/", views.post_message, name="message"),
    path("<uuid:session_id>/steps/", views.add_step, name="add_step"),
    path("<uuid:session_id>/steps/<uuid:step_id>/result/", views.record_result, name="step_result"),
    path("<uuid:session_id>/notes/", views.add_note, name="add_note"),
    path("<uuid:session_id>/resolve/", views.resolve, name="resolve"),
    path("<uuid:session_id>/ticket-notes/", views.download_notes, name="ticket_notes"),
    path("<uuid:session_id>/ticket-notes/copied/", views.notes_copied, name="ticket_notes_copied"),
]
