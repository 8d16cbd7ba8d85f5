from django.urls import path

from assistant import views

app_name = "assistant"

urlpatterns = [
    path("palette/", views.palette_results, name="palette"),
    path("assistant/", views.home, name="home"),
    path("assistant/ask/", views.ask_new, name="ask"),
    path("assistant/<uuid:conversation_id>/", views.conversation, name="conversation"),
    path("assistant/<uuid:conversation_id>/session/", views.to_session, name="to_session"),
]
