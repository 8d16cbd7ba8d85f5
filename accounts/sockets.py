"""Every open WebSocket of a user joins `user_group(user)`; revoking access closes them all at once.

Consumers (the live queue today; share and run channels later) add themselves
to this group on connect and close on the "user.revoked" event. Sent after
commit, so a rolled-back change never disconnects anyone.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

REVOKED_EVENT = "user.revoked"
# Close code for "sign in again": htmx's ws extension does not reconnect after it.
CLOSE_REVOKED = 4401


def user_group(user_id) -> str:
    """The channel-layer group of one user's open sockets (name within ^[a-zA-Z0-9_.-]+$)."""
    return f"user.{getattr(user_id, 'hex', user_id)}"


def session_group(session_key: str) -> str:
    """The group of the sockets opened by one browser session (closed on logout)."""
    return f"session.{session_key}"


def close_user_connections(user_id, reason: str) -> None:
    """After commit: tell every open socket of the user to close (deactivated, demoted, password changed)."""
    group = user_group(user_id)
    transaction.on_commit(lambda: _send(group, reason), robust=True)


def close_session_connections(session_key: str, reason: str) -> None:
    """After commit: close the sockets of one browser session (signed out)."""
    group = session_group(session_key)
    transaction.on_commit(lambda: _send(group, reason), robust=True)


def _send(group: str, reason: str) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, {"type": REVOKED_EVENT, "reason": reason})
    except Exception:
        # Consumers re-check the user before every send, so a lost event still stops the stream.
        logger.warning("Could not close the sockets of %s (%s)", group, reason, exc_info=True)
