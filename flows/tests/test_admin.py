"""The operator admin: flows are listed; published versions and runs are read-only."""

import pytest

from accounts.models import User
from flows.models import FlowVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("ops@resolutionflow.test", "pw-ops-123456")


def test_admin_lists_flows_and_versions(operator, published, client):
    client.force_login(operator)
    assert client.get("/admin/flows/flow/").status_code == 200
    assert client.get(f"/admin/flows/flow/{published.pk}/change/").status_code == 200
    assert client.get("/admin/flows/flowversion/").status_code == 200
    assert client.get("/admin/flows/librarystep/").status_code == 200


def test_published_versions_are_read_only_in_admin(operator, published, client):
    version = published.versions.get()
    client.force_login(operator)
    assert client.get("/admin/flows/flowversion/add/").status_code == 403
    assert client.post(f"/admin/flows/flowversion/{version.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/flows/flowversion/{version.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    client.post(f"/admin/flows/flowversion/{version.pk}/change/", {"number": 9, "title": "changed"})
    assert FlowVersion.objects.get(pk=version.pk).number == 1


def test_flow_status_is_not_editable_in_admin(operator, published, client):
    client.force_login(operator)
    page = client.get(f"/admin/flows/flow/{published.pk}/change/").content.decode()
    assert 'name="status"' not in page and 'name="latest_version"' not in page
