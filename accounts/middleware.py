"""Everything but login, password reset, `/healthz` and the API requires login."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# The API authenticates with tokens inside DRF, so it answers its own 401/403.
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/reset/",
    "/accounts/password_reset/",
    "/healthz",
    "/api/",
    "/static/",
    "/admin/",
)


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
