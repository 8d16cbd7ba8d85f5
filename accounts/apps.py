from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and users"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save
        from rest_framework.authtoken.models import Token

        # Importing the services registers the invitation email's outbox handler (for the worker too).
        from accounts import authentication, services  # noqa: F401
        from accounts.models import User

        user_logged_out.connect(_close_sockets_on_logout, dispatch_uid="accounts.close_sockets_on_logout")
        # Cached token lookups are forgotten the moment the token or its user changes.
        post_delete.connect(authentication.token_deleted, sender=Token, dispatch_uid="accounts.token_deleted")
        post_save.connect(authentication.user_changed, sender=User, dispatch_uid="accounts.user_changed")


def _close_sockets_on_logout(sender, request=None, user=None, **kwargs) -> None:
    # Django's own signal, sent before the session is flushed: its key still names this browser's sockets.
    from accounts import services

    session = getattr(request, "session", None)
    services.signed_out(getattr(session, "session_key", None))
