"""The live queue WebSocket: who may listen, which account's events they get, and only after commit."""

import asyncio
from unittest import mock

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from redis.exceptions import MaxConnectionsError

from accounts.sockets import user_group
from escalations import services
from escalations.consumers import account_group, rejoin_interval
from escalations.tests.live_fixtures import make_session
from resolutionflow.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/escalations/"
ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    async_to_sync(get_channel_layer().flush)()
    yield
    async_to_sync(get_channel_layer().flush)()


def headers_for(user=None, origin=ORIGIN) -> list[tuple[bytes, bytes]]:
    headers = [origin] if origin else []
    if user is not None:
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


async def connect(user=None, origin=ORIGIN) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, PATH, headers=await sync_to_async(headers_for)(user, origin))
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def run(scenario):
    async_to_sync(scenario)()


def test_anonymous_connection_is_accepted_then_closed_with_4401():
    async def scenario():
        communicator = await connect(None)
        message = await communicator.receive_output()
        assert message["type"] == "websocket.close"
        assert message["code"] == 4401

    run(scenario)


def test_viewer_connection_is_closed_with_4403(viewer):
    async def scenario():
        communicator = await connect(viewer)
        message = await communicator.receive_output()
        assert message == {**message, "type": "websocket.close", "code": 4403}

    run(scenario)


def test_deactivated_user_connection_is_closed_with_4401(senior):
    headers = headers_for(senior)
    senior.is_active = False
    senior.save(update_fields=["is_active"])

    async def scenario():
        communicator = WebsocketCommunicator(application, PATH, headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_output())["code"] == 4401

    run(scenario)


def test_foreign_origin_is_refused_before_accept(senior):
    async def scenario():
        headers = await sync_to_async(headers_for)(senior, (b"origin", b"https://evil.example"))
        communicator = WebsocketCommunicator(application, PATH, headers=headers)
        connected, _ = await communicator.connect()
        assert not connected

    run(scenario)


def test_missing_origin_is_refused(senior):
    async def scenario():
        headers = await sync_to_async(headers_for)(senior, None)
        communicator = WebsocketCommunicator(application, PATH, headers=headers)
        connected, _ = await communicator.connect()
        assert not connected

    run(scenario)


@pytest.mark.parametrize("role_fixture", ["owner", "admin_user", "senior"])
def test_engineer_or_admin_stays_connected_and_joins_only_its_account_group(role_fixture, request, other_account):
    user = request.getfixturevalue(role_fixture)

    async def scenario():
        communicator = await connect(user)
        assert await communicator.receive_nothing(timeout=0.1)
        layer = get_channel_layer()
        account_groups = [g for g in layer.groups if g.startswith("escalations.")]
        assert account_groups == [account_group(user.account_id)]
        assert user_group(user.pk) in layer.groups  # closed on deactivation, demotion, password change
        assert account_group(other_account.pk) not in layer.groups
        await communicator.disconnect()
        assert account_group(user.account_id) not in layer.groups
        assert user_group(user.pk) not in layer.groups

    run(scenario)


def test_escalation_reaches_its_account_and_not_another(engineer, senior, outsider):
    session = make_session(engineer)

    async def scenario():
        teammate = await connect(senior)
        stranger = await connect(outsider)
        handoff = await sync_to_async(services.escalate)(
            session, engineer, engineer_notes="Tried a reboot", priority="high"
        )
        html = await teammate.receive_from(timeout=2)
        assert f'id="handoff-{handoff.pk}"' in html
        assert 'hx-swap-oob="afterbegin:#queue-list"' in html
        assert 'aria-label="1 escalation awaiting pickup"' in html
        assert await stranger.receive_nothing(timeout=0.2)
        await teammate.disconnect()
        await stranger.disconnect()

    run(scenario)


def test_escalation_inside_a_rolled_back_transaction_broadcasts_nothing(engineer, senior):
    session = make_session(engineer)

    def escalate_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.escalate(session, engineer, engineer_notes="never committed", priority="normal")
            raise RuntimeError("the request failed after escalating")

    async def scenario():
        teammate = await connect(senior)
        await sync_to_async(escalate_then_fail)()
        assert await teammate.receive_nothing(timeout=0.3)
        await teammate.disconnect()

    run(scenario)
    session.refresh_from_db()
    assert session.status == "active"
    assert not session.handoffs.exists()


def test_claim_shows_the_winner_then_updates_the_count(engineer, senior, senior2):
    session = make_session(engineer)
    handoff = services.escalate(session, engineer, engineer_notes="", priority="normal")

    async def scenario():
        watcher = await connect(senior2)
        await sync_to_async(services.claim)(handoff, senior)
        html = await watcher.receive_from(timeout=2)
        assert f'hx-swap-oob="beforeend:#handoff-{handoff.pk}"' in html
        assert "Claimed by Sam Senior" in html
        assert 'aria-label="0 escalations awaiting pickup"' in html
        await watcher.disconnect()

    run(scenario)


def test_withdraw_removes_the_card_everywhere(engineer, senior):
    session = make_session(engineer)
    handoff = services.escalate(session, engineer, engineer_notes="", priority="normal")

    async def scenario():
        watcher = await connect(senior)
        await sync_to_async(services.withdraw)(handoff, engineer)
        html = await watcher.receive_from(timeout=2)
        assert f'<div id="handoff-{handoff.pk}" hx-swap-oob="delete"></div>' in html
        assert "0 awaiting pickup" in html
        await watcher.disconnect()

    run(scenario)


def test_messages_from_the_browser_are_ignored(senior):
    async def scenario():
        communicator = await connect(senior)
        await communicator.send_to(text_data='{"claim": "everything"}')
        assert await communicator.receive_nothing(timeout=0.1)
        await communicator.disconnect()

    run(scenario)


def test_failed_group_discard_on_disconnect_is_logged_not_raised(senior, caplog):
    layer = get_channel_layer()

    async def scenario():
        communicator = await connect(senior)
        # What a disconnect storm does to a full Redis pool.
        with mock.patch.object(layer, "group_discard", side_effect=MaxConnectionsError("Too many connections")):
            await communicator.disconnect()

    run(scenario)
    [record] = [r for r in caplog.records if r.name == "escalations.consumers"]
    assert record.levelname == "WARNING"
    assert "expires by itself" in record.getMessage()
    assert record.exc_info[0] is MaxConnectionsError


def test_open_socket_renews_its_group_membership_until_it_disconnects(senior):
    layer = get_channel_layer()
    group = account_group(senior.account_id)

    async def scenario():
        with mock.patch.object(layer, "group_expiry", 0.3):  # re-join every 0.1 s
            communicator = await connect(senior)
            [(channel, joined)] = layer.groups[group].items()
            await asyncio.sleep(0.25)
            assert layer.groups[group][channel] > joined
            await communicator.disconnect()
            await asyncio.sleep(0.25)
            # The renewal stopped with the socket: nothing put it back into the group.
            assert group not in layer.groups

    run(scenario)


def test_rejoin_interval_is_a_third_of_the_group_expiry():
    assert rejoin_interval(mock.Mock(group_expiry=3600)) == 1200
    assert rejoin_interval(object()) == 86400 / 3
