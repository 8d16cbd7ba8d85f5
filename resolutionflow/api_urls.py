"""`/api/v1/`: each app contributes its own routes from `<app>/api_urls.py`."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("flowpilot.api_urls")),
    path("", include("flowpilot.psa.api_urls")),
    path("", include("sharing.api_urls")),
    path("", include("escalations.api_urls")),
    path("", include("flows.api_urls")),
    path("", include("maintenance.api_urls")),
    path("", include("analytics.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
