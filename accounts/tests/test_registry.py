"""The ordered registries the apps above accounts fill from their AppConfig.ready()."""

from accounts import demo, home
from accounts.context_processors import ENTRIES
from accounts.registry import Ordered
from accounts.settings_panels import PANELS


def test_ordered_runs_by_order_then_name_and_replaces_a_name():
    registry = Ordered("test")
    registry.register("b", 20, "second")
    registry.register("a", 20, "first")
    registry.register("z", 10, "old")
    registry.register("z", 30, "last")
    assert list(registry) == ["first", "second", "last"]


def test_the_apps_registered_their_parts_at_start_up():
    assert [seeder.__module__ for seeder in demo.SEEDERS] == [
        "flowpilot.demo",
        "escalations.demo",
        "flows.demo",
        "flows.loop_demo",
        "maintenance.demo",
        "analytics.demo",
        "flowpilot.demo",
    ]
    assert [c.__module__ for c in home.CANDIDATES] == ["escalations.home", "flowpilot.apps"]
    assert [entry.label for entry in ENTRIES] == [
        "Sessions",
        "Escalations",
        "Flows",
        "Proposals",
        "Assistant",
        "Runs",
        "Analytics",
        "Account",
    ]
    assert [panel.__module__ for panel in PANELS] == ["flowpilot.psa.panels", "flowpilot.psa.panels"]
