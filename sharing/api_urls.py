from django.urls import path

from sharing import api

urlpatterns = [
    path("sessions/<uuid:session_id>/shares/", api.SessionSharesView.as_view(), name="api-session-shares"),
    path("shares/", api.ShareListView.as_view(), name="api-shares"),
    path("shares/<uuid:link_id>/", api.ShareDetailView.as_view(), name="api-share"),
]
