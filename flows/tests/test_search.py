"""Library search: ranked full-text search on PostgreSQL, the icontains fallback elsewhere (one function)."""

import pytest
from django.db import connection

from flowpilot import services as session_services
from flows import runner, selectors, services

pytestmark = pytest.mark.django_db


def node_graph(text: str) -> dict:
    return {
        "schema_version": 1,
        "start": "a",
        "nodes": [
            {"key": "a", "type": "action", "text": text, "next": "b"},
            {"key": "b", "type": "outcome", "text": "Done", "outcome": "resolved"},
        ],
    }


@pytest.fixture
def library(engineer, outsider):
    services.create_flow(
        engineer, title="Printer offline", description="Spooler stuck", graph=node_graph("Restart spooler")
    )
    services.create_flow(engineer, title="Wi-Fi slow", description="Check the VPN split tunnel", graph=node_graph("x"))
    services.create_flow(engineer, title="Laptop setup", graph=node_graph("Install the VPN client"))
    services.create_flow(engineer, title="VPN drops every few minutes", tags=["vpn"], graph=node_graph("Lower MTU"))
    services.create_flow(outsider, title="VPN at Contoso", graph=node_graph("x"))


def titles(qs) -> list[str]:
    return [f.title for f in qs]


def test_search_finds_title_description_node_text_and_tags_of_own_account_only(library, engineer):
    found = titles(selectors.flows_for(engineer, q="vpn"))
    assert set(found) == {"Wi-Fi slow", "Laptop setup", "VPN drops every few minutes"}


def test_search_matches_node_text(library, engineer):
    assert titles(selectors.flows_for(engineer, q="spooler")) == ["Printer offline"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's; SQLite falls back to icontains")
def test_postgres_ranks_title_and_tags_above_description_above_node_text(library, engineer):
    found = titles(selectors.flows_for(engineer, q="vpn"))
    assert found == ["VPN drops every few minutes", "Wi-Fi slow", "Laptop setup"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="websearch syntax is PostgreSQL's")
def test_postgres_websearch_syntax_and_stemming(library, engineer):
    assert titles(selectors.flows_for(engineer, q="vpn -laptop -wi-fi")) == ["VPN drops every few minutes"]
    assert titles(selectors.flows_for(engineer, q="drop")) == ["VPN drops every few minutes"]


def test_search_index_follows_graph_edits(library, engineer):
    flow = selectors.flows_for(engineer, q="spooler").get()
    services.replace_graph(flow, engineer, node_graph("Clear the print queue"), strict=False)
    assert titles(selectors.flows_for(engineer, q="queue")) == ["Printer offline"]


def test_suggestions_prefer_the_domain_and_published_flows(engineer, owner):
    for title, domain in (("VPN drops", "networking"), ("VPN client install", "endpoint"), ("VPN draft", "networking")):
        flow = services.create_flow(engineer, title=title, problem_domain=domain, graph=node_graph("step"))
        if title != "VPN draft":
            services.publish(flow, owner)
    found = titles(selectors.suggestions(engineer, domain="endpoint", text="the vpn keeps dropping"))
    assert found[0] == "VPN client install" and "VPN draft" not in found


@pytest.mark.parametrize("text", ["C:\\ drive -- full!!! ' | & ! ( ) :* <->", "---", "", "a b", "ünïcödé wörds"])
def test_any_text_is_safe_to_search_and_suggest(library, engineer, text):
    list(selectors.flows_for(engineer, q=text))
    list(selectors.suggestions(engineer, domain="networking", text=text))


def test_library_page_counts_30_day_stats_for_the_shown_flows_only(library, engineer, owner, django_assert_num_queries):
    flow = selectors.flows_for(engineer, q="spooler").get()
    services.publish(flow, owner)
    session = session_services.open_session(engineer, problem_summary="Printer spooler stuck")
    run = runner.start_run(session, engineer, flow)
    runner.answer(run, engineer, node="a", status="done")
    with django_assert_num_queries(3):  # the count, the page, the page's stats
        page = selectors.library_page(engineer, 1, per_page=2, q="")
        shown = {f.title: (f.runs_30d, f.resolution_rate, f.escalation_rate) for f in page}
    assert page.paginator.count == 4 and list(shown) == ["Laptop setup", "Printer offline"]
    assert shown["Printer offline"] == (1, 1.0, 0.0) and shown["Laptop setup"] == (0, None, None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TOAST storage is PostgreSQL's")
def test_postgres_keeps_the_search_vector_in_the_row():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'flows_flow'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)
