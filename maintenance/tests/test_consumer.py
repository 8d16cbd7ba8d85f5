"""The run grid's WebSocket (`/ws/runs/<id>/`): who may watch, and that ticks reach watchers of that run only."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import User
from escalations.tests.test_consumer import fresh_channel_layer, headers_for  # noqa: F401 (an autouse fixture)
from maintenance import services
from resolutionflow.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(run_id, user=None) -> WebsocketCommunicator:
    headers = await sync_to_async(headers_for)(user)
    communicator = WebsocketCommunicator(application, f"/ws/runs/{run_id}/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def close_code(communicator) -> int:
    message = await communicator.receive_output()
    assert message["type"] == "websocket.close"
    return message["code"]


def tick(run, user):
    """A tick through the service, with its after-commit broadcast (transaction=True: real commits)."""
    services.toggle_item(run.items.order_by("target__position", "position").first(), user)


def test_anonymous_is_closed_with_4401(run):
    async def scenario():
        assert await close_code(await connect(run.pk)) == 4401

    async_to_sync(scenario)()


def test_outsider_is_closed_with_4404_for_another_accounts_run(run, outsider):
    async def scenario():
        assert await close_code(await connect(run.pk, outsider)) == 4404

    async_to_sync(scenario)()


@pytest.mark.parametrize("role", ["owner", "engineer", "viewer"])
def test_a_tick_reaches_two_watchers_and_never_another_account(role, request, run, engineer, outsider_run, outsider):
    watcher = request.getfixturevalue(role)

    async def scenario():
        first = await connect(run.pk, watcher)
        second = await connect(run.pk, engineer)
        foreign = await connect(outsider_run.pk, outsider)
        await sync_to_async(tick)(run, engineer)
        for communicator in (first, second):
            html = await communicator.receive_from(timeout=5)
            assert "run-cell-done" in html and 'hx-swap-oob="true"' in html and 'id="run-progress"' in html
        assert await foreign.receive_nothing(timeout=0.3)
        for communicator in (first, second, foreign):
            await communicator.disconnect()

    async_to_sync(scenario)()


def test_watchers_of_another_run_of_the_same_account_get_nothing(run, procedure, engineer):
    other = services.create_run(engineer, flow_id=procedure.pk, title="Other", targets=["Z"])

    async def scenario():
        watcher = await connect(other.pk, engineer)
        await sync_to_async(tick)(run, engineer)
        assert await watcher.receive_nothing(timeout=0.3)
        await watcher.disconnect()

    async_to_sync(scenario)()


def test_a_deactivated_watcher_is_closed_before_the_next_frame(run, engineer, viewer):
    async def scenario():
        watcher = await connect(run.pk, viewer)
        await sync_to_async(User.objects.filter(pk=viewer.pk).update)(is_active=False)
        await sync_to_async(tick)(run, engineer)
        assert await close_code(watcher) == 4403

    async_to_sync(scenario)()


def test_bulk_done_is_one_frame_with_every_target(run, engineer):
    async def scenario():
        watcher = await connect(run.pk, engineer)
        await sync_to_async(services.bulk_done)(run, engineer, "reboot")
        html = await watcher.receive_from(timeout=5)
        assert html.count("run-cell-done") == 3
        assert await watcher.receive_nothing(timeout=0.2)
        await watcher.disconnect()

    async_to_sync(scenario)()
