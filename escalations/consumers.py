"""WebSocket consumer for the live queue: one group per account, HTML fragments out.

Refusals accept first and then close with 4401/4403: a close before accept
makes daphne answer 403, which the browser sees as 1006 and htmx retries forever.
"""

from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.models import ENGINEER_OR_ADMIN

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def account_group(account_id) -> str:
    """The channel-layer group of one account's live queue (name within ^[a-zA-Z0-9_.-]+$)."""
    return f"escalations.{account_id.hex}"


class EscalationQueueConsumer(AsyncWebsocketConsumer):
    group: str | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        # Viewers read the queue without the live stream (SPEC section 2); so do operators without an account.
        if user.account_id is None or user.account_role not in ENGINEER_OR_ADMIN:
            await self.refuse(CLOSE_FORBIDDEN)
            return
        # Subscribe before accepting: the page re-fetches the list on open, so anything
        # committed after that fetch must already reach this socket.
        self.group = account_group(user.account_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # The stream is one-way; anything a client sends is ignored.
        return

    async def queue_fragment(self, event):
        """Group event "queue.fragment": forward the rendered HTML as one text frame."""
        await self.send(text_data=event["html"])
