"""Per-target notes pushed to ConnectWise carry the pushing user's member (fake ConnectWise server)."""

import pytest

from flowpilot.psa import services as psa
from flowpilot.psa.models import PsaMember, PsaPush
from maintenance import services
from resolutionflow.domain import InvalidOperation
from tests.support.fake_connectwise import FakeConnectWise

KEYS = ("northwind", "pub-key-1", "priv-key-1", "client-1")


@pytest.fixture
def fake_cw(settings):
    fake = FakeConnectWise(credentials=KEYS).start()
    fake.add_ticket(4242, "Monthly patch check", company="Fabrikam")
    settings.PSA_TIMEOUT_S = 0.5
    yield fake
    fake.stop()


@pytest.fixture
def connection(account, owner, fake_cw):
    company, public, private, client_id = KEYS
    return psa.save_connection(
        account, owner, site=fake_cw.base_url, company_id=company, public_key=public, private_key=private,
        client_id=client_id,
    )  # fmt: skip


@pytest.fixture
def target(run, engineer):
    target = run.targets.get(name="FAB-DC01")
    item = target.items.get(node_key="updates")
    services.set_item(item, engineer, status="failed", result_note="install failed, password=hunter2 in log")
    return target


def push(client, run, target, capture):
    with capture(execute=True):
        return client.post(f"/runs/{run.pk}/targets/{target.pk}/push/")


def test_mapped_user_pushes_as_their_member(
    client_for, owner, engineer, run, target, connection, fake_cw, django_capture_on_commit_callbacks
):
    assert client_for(owner).post("/psa/members/", {f"member-{engineer.pk}": "jchen"}).status_code == 302
    assert push(client_for(engineer), run, target, django_capture_on_commit_callbacks).status_code == 302

    note = fake_cw.notes[0]
    assert note["ticketId"] == 4242 and note["member"] == {"identifier": "jchen"} and note["createdBy"] == "jchen"
    assert "FAB-DC01" in note["text"] and "Check Windows Update" in note["text"]
    assert "hunter2" not in note["text"] and "[REDACTED]" in note["text"]
    sent = PsaPush.objects.get()
    assert (sent.status, sent.member, sent.kind, sent.session) == ("sent", "jchen", "run_target", None)
    assert sent.subject_id == target.pk
    page = client_for(engineer).get(f"/runs/{run.pk}/targets/{target.pk}/").content.decode()
    assert "as jchen" in page and 'data-testid="member-warning"' not in page


def test_unmapped_user_pushes_as_the_integration_with_a_visible_warning(
    client_for, engineer, run, target, connection, fake_cw, django_capture_on_commit_callbacks
):
    page = client_for(engineer).get(f"/runs/{run.pk}/targets/{target.pk}/").content.decode()
    assert 'data-testid="member-warning"' in page and "posted as the integration" in page

    push(client_for(engineer), run, target, django_capture_on_commit_callbacks)

    note = fake_cw.notes[0]
    assert "member" not in note and note["createdBy"] == "api-member"
    page = client_for(engineer).get(f"/runs/{run.pk}/targets/{target.pk}/").content.decode()
    assert "as the integration" in page


def test_target_without_ticket_cannot_push(engineer, run, connection):
    with pytest.raises(InvalidOperation, match="no ticket"):
        services.push_target_notes(run.targets.get(name="FAB-FS01"), engineer)


def test_viewer_and_outsider_cannot_push(client_for, viewer, outsider, run, target, connection, fake_cw):
    url = f"/runs/{run.pk}/targets/{target.pk}/push/"
    assert client_for(viewer).post(url).status_code == 403
    assert client_for(outsider).post(url).status_code == 404
    assert fake_cw.notes == [] and not PsaPush.objects.exists()


def test_member_card_on_the_account_page(client_for, owner, engineer, viewer):
    PsaMember.objects.create(account=owner.account, user=engineer, identifier="jchen")
    owner_page = client_for(owner).get("/account/").content.decode()
    assert 'data-testid="psa-members-form"' in owner_page and 'value="jchen"' in owner_page
    viewer_page = client_for(viewer).get("/account/").content.decode()
    assert 'data-testid="psa-members"' in viewer_page and 'data-testid="psa-members-form"' not in viewer_page


def test_only_owners_and_admins_map_members(client_for, owner, engineer, viewer, outsider):
    for user in (engineer, viewer):
        assert client_for(user).post("/psa/members/", {f"member-{engineer.pk}": "x"}).status_code == 403
    # Another account's user id is ignored, not mapped.
    client_for(outsider).post("/psa/members/", {f"member-{engineer.pk}": "x"})
    assert not PsaMember.objects.exists()


def test_mapping_is_cleared_with_blank_and_refuses_duplicates(client_for, owner, engineer, senior):
    client = client_for(owner)
    client.post("/psa/members/", {f"member-{engineer.pk}": "jchen"})
    response = client.post(
        "/psa/members/", {f"member-{engineer.pk}": "same", f"member-{senior.pk}": "SAME"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "same ConnectWise member" in response.content.decode()
    assert PsaMember.objects.get().identifier == "jchen"
    client.post("/psa/members/", {f"member-{engineer.pk}": ""})
    assert not PsaMember.objects.exists()
