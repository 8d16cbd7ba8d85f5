from django.urls import path

from analytics import flow_views, time_saved_views, views

app_name = "analytics"
urlpatterns = [
    path("escalations/", views.dashboard, name="dashboard"),
    path("escalations/export.csv", views.export_csv, name="export"),
    path("escalations/baseline/", views.baseline_create, name="baseline-create"),
    path("escalations/baseline/<uuid:entry_id>/delete/", views.baseline_delete, name="baseline-delete"),
    path("flows/", flow_views.page, name="flows"),
    path("time-saved/", time_saved_views.page, name="time-saved"),
    path("time-saved/export.csv", time_saved_views.export_csv, name="time-saved-export"),
    path("time-saved/email/", time_saved_views.email_preference, name="time-saved-email"),
]
