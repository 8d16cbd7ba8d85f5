"""WebSocket consumer for one run's live grid (`/ws/runs/<id>/`): one group per run, HTML out.

It reuses the queue consumer's membership renewal and clean-up, and differs in who
may listen: any member of the run's account (viewers too, the grid is read-only
for them). Refusals accept first and then close (see escalations/consumers.py):
4401 signed out, 4404 a run of another account or none at all. Before every
frame the user is read again, so a member removed or deactivated mid-run stops
receiving the grid at the next change and the socket is closed with 4403.
"""

import asyncio

from channels.db import database_sync_to_async

from accounts.models import User
from escalations.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, EscalationQueueConsumer, rejoin_interval
from maintenance.broadcast import run_group
from maintenance.models import Run

CLOSE_NOT_FOUND = 4404


class RunGridConsumer(EscalationQueueConsumer):
    account_id = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        if not await self._run_of_account(run_id, user.account_id):
            await self.refuse(CLOSE_NOT_FOUND)
            return
        self.account_id = user.account_id
        # Subscribe before accepting, as the queue does: a change committed after the page
        # rendered and before this point is the only gap (the page re-fetches on reconnect).
        self.group = run_group(run_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.rejoiner = asyncio.create_task(self.keep_membership(rejoin_interval(self.channel_layer)))

    @database_sync_to_async
    def _run_of_account(self, run_id, account_id) -> bool:
        return account_id is not None and Run.objects.filter(pk=run_id, account_id=account_id).exists()

    def _is_member(self) -> bool:
        user = self.scope["user"]
        return User.objects.filter(pk=user.pk, is_active=True, account_id=self.account_id).exists()

    async def _still_member(self) -> bool:
        # Not thread-sensitive: the default runs every consumer's check one after another on
        # daphne's single sync thread, which put 20 watchers' checks in series (bench_runs).
        return await database_sync_to_async(self._is_member, thread_sensitive=False)()

    async def run_fragment(self, event):
        """Group event "run.fragment": forward the HTML if the user may still see this run."""
        if not await self._still_member():
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.send(text_data=event["html"])
