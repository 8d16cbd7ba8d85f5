"""Django's password views, plus what a changed password must revoke (tokens, open sockets)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views

from accounts import services


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(form.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Same page whether or not the address has an account (Django never says); links use SITE_URL."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        # Never the request's Host header: a forged Host must not put its domain in the link.
        self.extra_email_context = {"protocol": site.scheme, "domain": site.netloc, "site_name": "ResolutionFlow"}
        return super().form_valid(form)
