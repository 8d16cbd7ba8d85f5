from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and users"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        # Importing the services registers the invitation email's outbox handler (for the worker too).
        from accounts import services  # noqa: F401

        user_logged_out.connect(_close_sockets_on_logout, dispatch_uid="accounts.close_sockets_on_logout")


def _close_sockets_on_logout(sender, request=None, user=None, **kwargs) -> None:
    # Django's own signal, sent before the session is flushed: its key still names this browser's sockets.
    from accounts import services

    session = getattr(request, "session", None)
    services.signed_out(getattr(session, "session_key", None))
