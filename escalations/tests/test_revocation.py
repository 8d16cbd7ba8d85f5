"""Revoked means revoked on open sockets (issue 20 item 2).

Deactivation, demotion to viewer, a password change and signing out close the
user's open live-queue sockets at once (4401, which the client does not retry);
and a user whose access ended without any event still receives nothing more.
"""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts import services as account_services
from accounts.models import Role, User
from accounts.sockets import CLOSE_REVOKED, session_group, user_group
from conftest import PASSWORD
from escalations import services
from escalations.tests.live_fixtures import make_session
from escalations.tests.test_consumer import ORIGIN, PATH, fresh_channel_layer  # noqa: F401 (a fixture)
from resolutionflow.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_channel_layer")]


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


async def open_socket(client: Client) -> WebsocketCommunicator:
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_nothing(timeout=0.1)
    return communicator


async def closed_with(communicator) -> int:
    message = await communicator.receive_output(timeout=2)
    assert message["type"] == "websocket.close", message
    return message["code"]


def test_socket_of_a_user_deactivated_mid_connection_receives_no_further_escalation(engineer, senior, owner):
    session = make_session(engineer)

    async def scenario():
        socket = await open_socket(await sync_to_async(signed_in)(senior))
        await sync_to_async(account_services.set_active)(owner, senior, False)
        assert await closed_with(socket) == CLOSE_REVOKED
        await sync_to_async(services.escalate)(session, engineer, engineer_notes="Stuck")
        assert await socket.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


def test_demotion_to_viewer_closes_the_socket(senior, owner):
    async def scenario():
        socket = await open_socket(await sync_to_async(signed_in)(senior))
        await sync_to_async(account_services.change_role)(owner, senior, Role.VIEWER)
        assert await closed_with(socket) == CLOSE_REVOKED

    async_to_sync(scenario)()


def test_promotion_between_working_roles_keeps_the_socket(senior, owner):
    async def scenario():
        socket = await open_socket(await sync_to_async(signed_in)(senior))
        await sync_to_async(account_services.change_role)(owner, senior, Role.ADMIN)
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_password_change_closes_every_socket_of_the_user(senior):
    async def scenario():
        client = await sync_to_async(signed_in)(senior)
        other_browser = await open_socket(await sync_to_async(signed_in)(senior))
        response = await sync_to_async(client.post)(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "a-new-long-passphrase-77",
                "new_password2": "a-new-long-passphrase-77",
            },
        )
        assert response.status_code == 302
        assert await closed_with(other_browser) == CLOSE_REVOKED

    async_to_sync(scenario)()


def test_sign_out_closes_that_browsers_sockets_only(senior):
    async def scenario():
        laptop = await sync_to_async(signed_in)(senior)
        laptop_socket = await open_socket(laptop)
        phone_socket = await open_socket(await sync_to_async(signed_in)(senior))
        await sync_to_async(laptop.post)("/accounts/logout/")
        assert await closed_with(laptop_socket) == CLOSE_REVOKED
        assert await phone_socket.receive_nothing(timeout=0.3)
        await phone_socket.disconnect()

    async_to_sync(scenario)()


def test_user_is_re_checked_before_each_send(engineer, senior):
    # Access ended with no close event (a direct database change, a lost event): nothing is sent.
    session = make_session(engineer)

    async def scenario():
        socket = await open_socket(await sync_to_async(signed_in)(senior))
        await sync_to_async(User.objects.filter(pk=senior.pk).update)(is_active=False)
        await sync_to_async(services.escalate)(session, engineer, engineer_notes="Stuck")
        assert await closed_with(socket) == CLOSE_REVOKED

    async_to_sync(scenario)()


def test_sockets_join_their_user_and_session_groups(senior):
    async def scenario():
        client = await sync_to_async(signed_in)(senior)
        socket = await open_socket(client)
        groups = get_channel_layer().groups
        assert user_group(senior.pk) in groups
        assert session_group(client.session.session_key) in groups
        await socket.disconnect()

    async_to_sync(scenario)()
