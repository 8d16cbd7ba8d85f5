from django.urls import path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("escalations/", views.dashboard, name="dashboard"),
    path("escalations/export.csv", views.export_csv, name="export"),
    path("escalations/baseline/", views.baseline_create, name="baseline-create"),
    path("escalations/baseline/<uuid:entry_id>/delete/", views.baseline_delete, name="baseline-delete"),
]
