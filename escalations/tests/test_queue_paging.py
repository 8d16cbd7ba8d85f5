"""The queue renders its newest cards first and pages older ones in: fast at any length, nothing lost."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalations import selectors, services
from escalations.selectors import QUEUE_PAGE_SIZE
from escalations.tests.conftest import bulk_open_escalations, make_worked_session

pytestmark = pytest.mark.django_db

ROWS = "/escalations/queue/rows/"
CARD_ID = re.compile(r'<article id="handoff-([0-9a-f-]{36})"')


def card_ids(response) -> list[str]:
    return CARD_ID.findall(response.content.decode())


def more_url(response) -> str:
    match = re.search(r'hx-get="(/escalations/queue/rows/\?before=[0-9a-f-]{36})"', response.content.decode())
    return match.group(1) if match else ""


def test_queue_page_renders_the_newest_page_and_counts_them_all(engineer, senior, client_for):
    handoffs = bulk_open_escalations(engineer, QUEUE_PAGE_SIZE + 12)
    page = client_for(senior).get("/escalations/")
    assert card_ids(page) == [str(h.pk) for h in handoffs[:QUEUE_PAGE_SIZE]]
    body = page.content.decode()
    assert f'aria-label="{QUEUE_PAGE_SIZE + 12} escalations awaiting pickup"' in body
    assert 'data-testid="show-more"' in body and "Show 12 more" in body
    assert "12 older escalations not shown yet" in body
    assert more_url(page) == f"{ROWS}?before={handoffs[QUEUE_PAGE_SIZE - 1].pk}"


def test_show_more_pages_through_every_card_once_even_with_equal_timestamps(engineer, senior, client_for):
    handoffs = bulk_open_escalations(engineer, 2 * QUEUE_PAGE_SIZE + 5, ties=QUEUE_PAGE_SIZE + 3)
    client = client_for(senior)
    response = client.get(ROWS)
    seen = card_ids(response)
    pages = 1
    while url := more_url(response):
        response = client.get(url)
        assert response.status_code == 200
        assert 'id="queue-count"' not in response.content.decode()  # the heading keeps the total
        seen += card_ids(response)
        pages += 1
    assert pages == 3
    assert seen == [str(h.pk) for h in handoffs]


def test_next_page_skips_cards_claimed_meanwhile_and_is_not_shifted_by_new_arrivals(engineer, senior, client_for):
    handoffs = bulk_open_escalations(engineer, QUEUE_PAGE_SIZE + 3)
    client = client_for(senior)
    url = more_url(client.get(ROWS))
    services.claim(handoffs[QUEUE_PAGE_SIZE + 1], senior)
    services.claim(handoffs[QUEUE_PAGE_SIZE - 1], senior)  # the cursor card itself leaves the queue
    services.escalate(make_worked_session(engineer, "Arrived while reading"), engineer)
    rest = client.get(url)
    assert card_ids(rest) == [str(handoffs[QUEUE_PAGE_SIZE].pk), str(handoffs[QUEUE_PAGE_SIZE + 2].pk)]
    assert not more_url(rest)


def test_short_queue_has_no_show_more_control(escalation, senior, client_for):
    body = client_for(senior).get("/escalations/").content.decode()
    assert 'data-testid="queue-more"' not in body
    assert f'id="handoff-{escalation.pk}"' in body


def test_reconnect_backfill_returns_the_first_page_and_the_total_count(engineer, senior, client_for):
    handoffs = bulk_open_escalations(engineer, QUEUE_PAGE_SIZE + 1)
    response = client_for(senior).get(ROWS, HTTP_HX_REQUEST="true")
    assert card_ids(response) == [str(h.pk) for h in handoffs[:QUEUE_PAGE_SIZE]]
    body = response.content.decode()
    assert f'aria-label="{QUEUE_PAGE_SIZE + 1} escalations awaiting pickup"' in body
    assert 'hx-swap-oob="outerHTML"' in body
    assert 'data-testid="queue-empty"' in body


def test_viewer_pages_through_the_queue_without_actions(engineer, viewer, client_for):
    handoffs = bulk_open_escalations(engineer, QUEUE_PAGE_SIZE + 2)
    client = client_for(viewer)
    rest = client.get(more_url(client.get(ROWS)))
    assert rest.status_code == 200
    assert card_ids(rest) == [str(h.pk) for h in handoffs[QUEUE_PAGE_SIZE:]]
    assert 'data-testid="pick-up"' not in rest.content.decode()


def test_show_more_after_another_accounts_handoff_is_not_found(escalation, outsider, client_for):
    assert client_for(outsider).get(f"{ROWS}?before={escalation.pk}").status_code == 404


@pytest.mark.parametrize("cursor", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", ""])
def test_show_more_with_a_bad_cursor_is_not_found(cursor, senior, client_for):
    assert client_for(senior).get(f"{ROWS}?before={cursor}").status_code == 404


def test_show_more_requires_login(client, escalation):
    response = client.get(f"{ROWS}?before={escalation.pk}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_show_more_rejects_post(escalation, senior, client_for):
    assert client_for(senior).post(f"{ROWS}?before={escalation.pk}").status_code == 405


def _query_count(client, url: str) -> int:
    client.get(url)  # one-off costs (session, content types, cached stat card) out of the way
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/escalations/", ROWS])
def test_queue_query_count_does_not_grow_with_the_number_of_cards(url, engineer, senior, client_for):
    client = client_for(senior)
    bulk_open_escalations(engineer, 3)
    few = _query_count(client, url)
    bulk_open_escalations(engineer, 3 * QUEUE_PAGE_SIZE)
    assert _query_count(client, url) == few


def test_next_page_query_count_does_not_grow_with_the_number_of_cards(engineer, senior, client_for):
    client = client_for(senior)
    handoffs = bulk_open_escalations(engineer, QUEUE_PAGE_SIZE + 2)
    few = _query_count(client, f"{ROWS}?before={handoffs[QUEUE_PAGE_SIZE - 1].pk}")
    older = bulk_open_escalations(engineer, 3 * QUEUE_PAGE_SIZE)  # a longer queue behind the cursor
    assert _query_count(client, f"{ROWS}?before={older[QUEUE_PAGE_SIZE - 1].pk}") == few


def test_queue_page_selector_totals_from_the_cursor_on(engineer, senior):
    handoffs = bulk_open_escalations(engineer, 7)
    page = selectors.queue_page(senior, after=handoffs[1], size=3)
    assert [h.pk for h in page.cards] == [h.pk for h in handoffs[2:5]]
    assert (page.total, page.remaining, page.next_size, page.cursor) == (5, 2, 2, handoffs[4].pk)
