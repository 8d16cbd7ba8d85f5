import time
import pytest
from playwright.sync_api import expect
from conftest import PASSWORD

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

def test_smoke(live_stack, signed_in_page, senior, page):
    page.goto(live_stack.url + "/accounts/login/")
    page.fill("input[name=username]", senior.email)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    print("URL", page.url, page.title())
    p2 = signed_in_page(senior)
    p2.goto("/sessions/")
    print("URL2", p2.url, p2.title(), p2.js_errors)
    t=time.monotonic(); live_stack.restart(); print("restart", time.monotonic()-t)
    p2.goto("/healthz"); print(p2.content()[:200])
