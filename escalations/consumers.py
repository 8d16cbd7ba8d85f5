"""WebSocket consumer for the live queue: one group per account, HTML fragments out.

Refusals accept first and then close with 4401/4403: a close before accept
makes daphne answer 403, which the browser sees as 1006 and htmx retries forever.

Every socket also joins its user's and its browser session's groups
(`accounts.sockets`): deactivating or demoting the user, a password change or
signing out closes it at once, and the user is re-read before every send, so a
lost close event still stops the stream.

Group membership expires after the channel layer's `group_expiry` (one hour in
production), while sockets live indefinitely (daphne `--websocket_timeout -1`):
each socket re-joins its group every `group_expiry / 3`. A member whose
`group_discard` never reached Redis therefore drops out by itself within
`group_expiry`, instead of receiving every fragment of its account for days.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.access import has_role
from accounts.models import ENGINEER_OR_ADMIN, User
from accounts.sockets import CLOSE_REVOKED, session_group, user_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
DEFAULT_GROUP_EXPIRY_S = 86400
# Right after a Redis restart the first command on a pooled connection can fail; one retry reconnects.
JOIN_ATTEMPTS = 3


def account_group(account_id) -> str:
    """The channel-layer group of one account's live queue (name within ^[a-zA-Z0-9_.-]+$)."""
    return f"escalations.{account_id.hex}"


def rejoin_interval(channel_layer) -> float:
    """Seconds between re-joins: a third of the layer's group expiry, so one missed re-join is harmless."""
    return getattr(channel_layer, "group_expiry", DEFAULT_GROUP_EXPIRY_S) / 3


@database_sync_to_async
def may_receive(user_id) -> bool:
    """The user is still active, in an account, with a role that gets the live stream."""
    user = User.objects.filter(pk=user_id, is_active=True).only("account_id", "account_role").first()
    return user is not None and has_role(user, ENGINEER_OR_ADMIN)


class EscalationQueueConsumer(AsyncWebsocketConsumer):
    group: str | None = None
    groups_joined: tuple[str, ...] = ()
    rejoiner: asyncio.Task | None = None
    revoked = False

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also when a handler raised and disconnect() never ran: never re-join for a dead socket.
            if self.rejoiner is not None:
                self.rejoiner.cancel()

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        # Viewers read the queue without the live stream (SPEC section 2); so do operators without an account.
        if not has_role(user, ENGINEER_OR_ADMIN):
            await self.refuse(CLOSE_FORBIDDEN)
            return
        # Subscribe before accepting: the page re-fetches the list on open, so anything
        # committed after that fetch must already reach this socket.
        self.user_id = user.pk
        self.group = account_group(user.account_id)
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None)
        self.groups_joined = (user_group(user.pk), *([session_group(session_key)] if session_key else []), self.group)
        try:
            await self.join_all()
        except Exception:
            # Redis still unreachable after the retries: a clean 1011 the client retries, never a 500.
            logger.warning("Could not join the live groups for %s", self.channel_name, exc_info=True)
            await self.accept()
            await self.close(code=1011)
            return
        await self.accept()
        self.rejoiner = asyncio.create_task(self.keep_membership(rejoin_interval(self.channel_layer)))

    async def join_all(self) -> None:
        # The revocation groups first: a close event must never find the socket only in the account group.
        for group in self.groups_joined:
            for attempt in range(JOIN_ATTEMPTS):
                try:
                    await self.channel_layer.group_add(group, self.channel_name)
                    break
                except Exception:
                    # redis-py's connection errors are not the builtin ConnectionError.
                    if attempt == JOIN_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(0.1 * (attempt + 1))

    async def refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def keep_membership(self, interval: float) -> None:
        """Re-join the account group before the channel layer expires this socket's membership."""
        while True:
            await asyncio.sleep(interval)
            try:
                for group in self.groups_joined:
                    await self.channel_layer.group_add(group, self.channel_name)
            except Exception:
                # The next attempt comes well before the membership expires.
                logger.warning("Could not renew %s in %s", self.channel_name, self.group, exc_info=True)

    async def disconnect(self, code):
        if self.rejoiner is not None:
            self.rejoiner.cancel()
        if not self.groups_joined:
            return
        try:
            for group in self.groups_joined:
                await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:
            # Raising here only logs a traceback in daphne; the membership expires on its own
            # within group_expiry, since this socket no longer renews it.
            logger.warning(
                "Could not leave %s for %s (code %s); it expires by itself",
                self.group,
                self.channel_name,
                code,
                exc_info=True,
            )

    async def receive(self, text_data=None, bytes_data=None):
        # The stream is one-way; anything a client sends is ignored.
        return

    async def queue_fragment(self, event):
        """Group event "queue.fragment": forward the rendered HTML as one text frame, if still allowed."""
        if self.revoked:
            return
        if not await may_receive(self.user_id):
            await self.user_revoked({"reason": "no longer allowed"})
            return
        await self.send(text_data=event["html"])

    async def user_revoked(self, event):
        """Group event "user.revoked" (accounts.sockets): close with 4401, which the client does not retry."""
        if self.revoked:
            return
        self.revoked = True
        await self.close(code=CLOSE_REVOKED)
