from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from resolutionflow import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("sharing.urls")),
    path("account/", include("accounts.urls_settings")),
    path("sessions/", include("flowpilot.urls")),
    path("escalations/", include("escalations.urls")),
    path("flows/", include("flows.urls")),
    path("runs/", include("maintenance.urls")),
    path("analytics/", include("analytics.urls")),
    path("", include("assistant.urls")),
    path("psa/", include("flowpilot.psa.urls")),
    path("api/v1/", include("resolutionflow.api_urls")),
]

handler404 = "resolutionflow.errors.not_found"
handler403 = "resolutionflow.errors.forbidden"
handler400 = "resolutionflow.errors.bad_request"
handler500 = "resolutionflow.errors.server_error"
