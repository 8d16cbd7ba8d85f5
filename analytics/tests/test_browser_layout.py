"""Analytics pages on the demo data in Chromium: nothing scrolls sideways on a phone, the per-domain table fits
its card at 1280 px, and chart labels stay legible when the chart scales down."""

import pytest

import analytics.demo
from accounts import demo as accounts_demo

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

PAGES = ["/analytics/escalations/", "/analytics/time-saved/"]
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
# The smallest rendered height of the chart's text, in CSS pixels.
SMALLEST_LABEL = """
(testid) => Math.min(...[...document.querySelectorAll(`[data-testid="${testid}"] text`)]
  .map((t) => t.getBoundingClientRect().height))
"""


@pytest.fixture
def demo_owner(transactional_db):
    demo = accounts_demo.seed()
    analytics.demo.seed(demo)
    return demo["northwind"][1]["owner"]


def test_no_analytics_page_scrolls_sideways_at_375_px(live_stack, signed_in_page, demo_owner):
    page = signed_in_page(demo_owner, viewport={"width": 375, "height": 800})
    for path in PAGES:
        page.goto(path)
        for details in page.locator("details").all():
            details.evaluate("(d) => { d.open = true; }")
        assert page.evaluate(PAGE_WIDTH) <= 375, path
    assert page.js_errors == []


def test_chart_labels_stay_legible_on_a_phone(live_stack, signed_in_page, demo_owner):
    page = signed_in_page(demo_owner, viewport={"width": 375, "height": 800})
    page.goto(PAGES[0])
    assert page.evaluate(SMALLEST_LABEL, "trend-chart") >= 10
    page.goto(PAGES[1])
    assert page.evaluate(SMALLEST_LABEL, "ts-trend-chart") >= 10


def test_per_domain_table_fits_its_card_at_1280_px(live_stack, signed_in_page, demo_owner):
    page = signed_in_page(demo_owner, viewport={"width": 1280, "height": 900})
    page.goto(PAGES[0])
    table = page.get_by_test_id("per-domain-table")
    fits = table.evaluate("(t) => t.scrollWidth <= t.closest('section').clientWidth")
    assert fits
    assert page.evaluate(PAGE_WIDTH) <= 1280
