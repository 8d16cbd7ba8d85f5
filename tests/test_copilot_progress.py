"""The copilot request stays synchronous on the new-session page, so it shows progress and its bound."""

import pytest

pytestmark = pytest.mark.django_db


def test_new_session_form_announces_progress_with_the_bound(client_for, engineer, settings):
    settings.AI_TIMEOUT_S, settings.AI_MAX_RETRIES = 20, 1
    page = client_for(engineer).get("/sessions/new/").content.decode()
    assert 'data-progress="Opening the session' in page and "up to 40 seconds" in page
    assert 'data-testid="session-progress"' in page and 'role="status"' in page
