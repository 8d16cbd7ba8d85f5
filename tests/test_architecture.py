"""The house rule: imports point one way (docs/architecture.md).

Layers, bottom to top: accounts <- flowpilot <- escalations | sharing <- flows <- maintenance <- analytics
<- assistant.
A module may import its own app and the apps below it; siblings (escalations and sharing)
don't import each other. The project package `resolutionflow/` is the floor the apps stand on
(domain errors, mail, htmx helpers) and imports apps only where it wires them together
(urls, routing, settings). No shipped module imports the test support or the benchmarks.
Plain `ast`, so imports inside functions and under TYPE_CHECKING count too.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Rank per app: a module may import an app of lower rank, or its own. Apps that do not exist yet are listed
# so they follow the rule from their first commit.
LAYERS = {
    # The floor: side effects recorded with the write; it imports no app.
    "outbox": -1,
    "accounts": 0,
    "flowpilot": 1,
    "escalations": 2,
    "sharing": 2,
    "flows": 3,
    "maintenance": 4,
    "analytics": 5,
    # The command palette and quick assistant search everything below; nothing imports them.
    "assistant": 6,
}
PROJECT = "resolutionflow"
# Modules of the project package that wire apps together and so may import them.
PROJECT_WIRING = {"urls", "asgi", "routing", "api_urls", "settings", "settings_test", "celery", "wsgi"}
DEV_ONLY = {"tests", "bench"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names of everything `source` imports (relative imports resolved against `module`)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # `from pkg import name`: name may be a submodule (`from escalations import selectors`).
            found.update([name, *(f"{name}.{alias.name}" if name else alias.name for alias in node.names)])
    return found


def violations(module: str, imports: set[str]) -> list[str]:
    """Why each import of `module` breaks the house rule (empty: it keeps it)."""
    top = module.split(".")[0]
    wrong = []
    for name in sorted(imports):
        target = name.split(".")[0]
        is_app_test = ".tests" in f".{module}" and top in LAYERS
        if target in DEV_ONLY and not is_app_test and top not in DEV_ONLY:
            wrong.append(f"{module} imports dev-only {name}")
        elif top in LAYERS and target in LAYERS and target != top and LAYERS[target] >= LAYERS[top]:
            wrong.append(f"{module} imports {name}: {target} is not below {top}")
        elif top == PROJECT and target in LAYERS and module.split(".")[1] not in PROJECT_WIRING:
            wrong.append(f"{module} imports {name}: only the project's wiring modules may import apps")
    return wrong


def shipped_and_app_modules():
    for top in [*LAYERS, PROJECT]:
        for path in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).is_dir() else []:
            if "migrations" not in path.parts:
                yield path


def test_every_import_points_down():
    found = []
    for path in shipped_and_app_modules():
        module = module_name(path)
        found += violations(module, imported_modules(path.read_text(), module, path.name == "__init__.py"))
    assert found == [], "Imports that point up or sideways:\n" + "\n".join(found)


def test_the_walk_covers_the_apps():
    modules = {module_name(p) for p in shipped_and_app_modules()}
    assert {"flowpilot.services", "flowpilot.psa.delivery", "escalations.services", "accounts.views"} <= modules


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("flowpilot.activity", "from escalations.models import Handoff"),
        ("flowpilot.psa.delivery", "def f():\n    import escalations.first_action\n"),
        ("accounts.views", "from escalations import selectors"),
        ("escalations.views", "from sharing.models import Share"),
        ("flows.services", "from analytics.queries import x"),
        ("resolutionflow.mail", "from flowpilot.models import Session"),
        ("flowpilot.demo", "from tests.support.services import free_port"),
        ("escalations.management.commands.bench_push", "import bench.data"),
    ],
)
def test_an_upward_import_is_caught(module, source):
    assert violations(module, imported_modules(source, module)) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("escalations.services", "from flowpilot.models import Session\nfrom accounts.access import scoped"),
        ("flowpilot.psa.services", "from . import crypto\nfrom flowpilot.notes import render_ticket_notes"),
        ("analytics.queries", "from escalations.models import Handoff\nfrom resolutionflow.domain import X"),
        ("resolutionflow.urls", "from accounts import views"),
        ("flowpilot.tests.test_api", "from tests.support.fake_anthropic import FakeAnthropic"),
        ("bench.commands", "from escalations.models import Handoff"),
    ],
)
def test_a_downward_import_is_allowed(module, source):
    assert violations(module, imported_modules(source, module)) == []


def test_relative_imports_resolve_to_the_app():
    assert imported_modules("from . import crypto", "flowpilot.psa.services") == {
        "flowpilot.psa",
        "flowpilot.psa.crypto",
    }
    assert "flowpilot.models" in imported_modules("from ..models import Session", "flowpilot.psa.services")
    assert "flowpilot.psa.models" in imported_modules("from .models import PsaPush", "flowpilot.psa", is_package=True)


# Template tags format what the view passed; they never query (docs/architecture.md).
QUERYING_MODULES = {"models", "selectors", "services", "queries", "panels"}


def querying_imports(imports: set[str]) -> list[str]:
    return sorted(name for name in imports if name.split(".")[-1] in QUERYING_MODULES or name.startswith("django.db"))


def test_template_tags_import_nothing_that_queries():
    querying = []
    for path in shipped_and_app_modules():
        if "templatetags" not in path.parts or path.name == "__init__.py":
            continue
        module = module_name(path)
        found = querying_imports(imported_modules(path.read_text(), module))
        if found:
            querying.append(f"{module} imports {', '.join(found)}")
    assert querying == []


def test_a_querying_tag_is_caught():
    assert querying_imports(imported_modules("from flowpilot.psa import services", "flowpilot.psa.templatetags.x"))
    assert querying_imports(imported_modules("from ..models import Session", "flowpilot.templatetags.x"))
    assert querying_imports(imported_modules("from django.db.models import Count", "flowpilot.templatetags.x"))
    assert not querying_imports(imported_modules("from django import template", "flowpilot.templatetags.x"))


# Templates follow the same arrows: an app's template includes or extends templates of its own app,
# the apps below it and the project's (templates/). An upper app contributes to a lower app's page
# through a hook (flowpilot.hooks.session_page), never by the lower template including it.
TEMPLATE_REF = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"'#]+)""")


def template_owners() -> dict[str, str]:
    """Template namespace (first path segment) -> the app whose templates/ holds it."""
    owners = {}
    for top in LAYERS:
        for templates in (ROOT / top).rglob("templates") if (ROOT / top).is_dir() else []:
            owners.update({ns.name: top for ns in templates.iterdir() if ns.is_dir()})
    return owners


def template_violations(app: str, text: str, owners: dict[str, str]) -> list[str]:
    wrong = []
    for name in TEMPLATE_REF.findall(text):
        owner = owners.get(name.split("/")[0])
        if owner and owner != app and LAYERS[owner] >= LAYERS[app]:
            wrong.append(f"{name}: {owner} is not below {app}")
    return wrong


def test_templates_reference_only_their_own_app_and_below():
    owners, found = template_owners(), []
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("templates/**/*.*")) if (ROOT / app).is_dir() else []:
            found += [f"{path.relative_to(ROOT)} {v}" for v in template_violations(app, path.read_text(), owners)]
    assert found == []


def test_a_template_back_arrow_is_caught():
    owners = {"escalations": "escalations", "flowpilot": "flowpilot", "psa": "flowpilot"}
    assert template_violations("flowpilot", '{% include "escalations/_session_actions.html" %}', owners)
    assert not template_violations("flowpilot", '{% include "psa/panels.html#push" %}', owners)
    assert not template_violations("escalations", '{% extends "base.html" %}{% include "flowpilot/x.html" %}', owners)
