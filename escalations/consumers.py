"""WebSocket consumer for the live queue (filled in by the live-delivery work)."""

from channels.generic.websocket import AsyncWebsocketConsumer


class EscalationQueueConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.close(code=4401)
