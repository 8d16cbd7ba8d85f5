"""Custom 404/403/500 pages in the product's style (never Django's debug or plain pages)."""

import pytest
from django.test import Client
from django.urls import path

from escalations import services
from escalations.tests.conftest import make_worked_session
from resolutionflow.urls import urlpatterns as project_urls


def _boom(request):
    raise RuntimeError("kaboom")


# This module doubles as a URLconf for the 500 test: the project's URLs plus one that fails.
urlpatterns = [path("boom/", _boom), *project_urls]


def test_404_page_is_the_products(senior, client_for, settings):
    settings.DEBUG = False
    response = client_for(senior).get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-page"' in page and "We couldn't find that page" in page
    assert "/static/css/app.css" in page and "Sign out" in page


@pytest.fixture
def escalation(engineer):
    return services.escalate(make_worked_session(engineer), engineer)


def test_404_for_another_accounts_handoff_uses_the_same_page(escalation, outsider, client_for):
    response = client_for(outsider).get(f"/escalations/{escalation.pk}/")
    assert response.status_code == 404 and "We couldn't find that page" in response.content.decode()


def test_403_page_names_the_needed_role(escalation, viewer, client_for):
    response = client_for(viewer).post(f"/escalations/{escalation.pk}/claim/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'data-status="403"' in page and "engineer or admin role required" in page


@pytest.mark.urls("tests.test_error_pages")
def test_500_page_is_the_products_and_leaks_nothing(senior, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(senior)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert 'data-status="500"' in page and "Something went wrong on our side" in page
    assert "kaboom" not in page and "Traceback" not in page
