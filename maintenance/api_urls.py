from django.urls import path

from maintenance import api

urlpatterns = [
    path("runs/", api.RunListView.as_view(), name="api-runs"),
    path("runs/<uuid:run_id>/", api.RunDetailView.as_view(), name="api-run"),
    path(
        "runs/<uuid:run_id>/targets/<uuid:target_id>/items/<str:node_key>/",
        api.RunItemView.as_view(),
        name="api-run-item",
    ),
    path("schedules/", api.ScheduleListView.as_view(), name="api-schedules"),
    path("schedules/<uuid:schedule_id>/", api.ScheduleDetailView.as_view(), name="api-schedule"),
]
