"""Helpers shared by the live-delivery tests (sessions to escalate, a channel-layer listener)."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from escalations.consumers import account_group
from flowpilot.models import Session


def make_session(user, summary: str = "VPN drops every 10 minutes for the Leeds office") -> Session:
    return Session.objects.create(
        account=user.account,
        owner=user,
        assignee=user,
        problem_summary=summary,
        problem_domain="networking",
        client_name="Leeds Dental",
        ticket_ref="T-1042",
    )


class GroupListener:
    """A channel subscribed to one account's group, read synchronously."""

    def __init__(self, account):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(account_group(account.pk), self.channel)

    def messages(self) -> list[dict]:
        """Everything delivered so far, without waiting."""
        received = []
        queue = self.layer.channels.get(self.channel)
        while queue is not None and not queue.empty():
            received.append(queue.get_nowait()[1])
        return received
