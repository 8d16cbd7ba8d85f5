from django.urls import path

from analytics import api

urlpatterns = [
    path("analytics/escalations/", api.EscalationMetricsView.as_view(), name="api-analytics-escalations"),
    path("analytics/flows/", api.FlowMetricsView.as_view(), name="api-analytics-flows"),
    path("analytics/time-saved/", api.TimeSavedView.as_view(), name="api-analytics-time-saved"),
    path("analytics/baseline/", api.BaselineEntryListView.as_view(), name="api-analytics-baseline"),
    path("analytics/baseline/<uuid:pk>/", api.BaselineEntryDetailView.as_view(), name="api-analytics-baseline-detail"),
]
