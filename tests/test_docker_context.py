"""The image ships the product only: the Docker build context computed from .dockerignore.

No Docker engine here, so the context is computed with Docker's own rules for the
pattern forms .dockerignore uses (moby/patternmatcher): patterns are cleaned paths
relative to the context root, `*` and `?` stay inside one path segment, `**` spans
any number of segments, a pattern that matches a directory excludes everything
under it, `!` re-includes, and the last matching pattern wins.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEV_ONLY_PACKAGES = {"websockets", "pytest", "pytest_django", "playwright", "schemathesis", "hypothesis"}
NOT_SHIPPED = {"tests", "bench", *DEV_ONLY_PACKAGES}


def pattern_regex(pattern: str) -> re.Pattern:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def parse_dockerignore(text: str) -> list[tuple[bool, re.Pattern]]:
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        cleaned = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((negate, pattern_regex(cleaned)))
    return rules


def is_excluded(path: str, rules) -> bool:
    """Docker's MatchesOrParentMatches: a rule matching the path or one of its parent directories applies."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for negate, regex in rules:
        if any(regex.fullmatch(c) for c in candidates):
            excluded = not negate
    return excluded


def build_context(root: Path = ROOT) -> list[str]:
    """Every file `docker build .` would send, as paths relative to `root`."""
    rules = parse_dockerignore((root / ".dockerignore").read_text())
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirnames[:] = [d for d in dirnames if not is_excluded(prefix + d, rules)]
        files += [prefix + f for f in filenames if not is_excluded(prefix + f, rules)]
    return sorted(files)


@pytest.fixture(scope="module")
def image_files() -> list[str]:
    return build_context()


def test_the_matcher_follows_dockers_rules():
    rules = parse_dockerignore("bench\n**/tests\n*.md\n!README.md\n/docs/\n")
    assert is_excluded("bench/harness.py", rules)
    assert is_excluded("flowpilot/psa/tests/test_push.py", rules) and is_excluded("tests/conftest.py", rules)
    assert is_excluded("CHANGELOG.md", rules) and not is_excluded("README.md", rules)
    assert not is_excluded("accounts/templates/a.md", rules)  # `*` stays in one segment
    assert is_excluded("docs/benchmarks.md", rules)
    assert not is_excluded("benchmarks/x.py", rules) and not is_excluded("flowpilot/bench.py", rules)


def test_the_image_holds_no_bench_tests_or_docs(image_files):
    assert (
        "manage.py" in image_files and "resolutionflow/settings.py" in image_files and "requirements.txt" in image_files
    )
    assert "flowpilot/templates/flowpilot/session_detail.html" in image_files
    shipped_away = [
        f
        for f in image_files
        if f.split("/")[0] in {"bench", "tests", "docs"}
        or "/tests/" in f
        or f.endswith("conftest.py")
        or re.search(r"management/commands/bench_\w+\.py$", f)
    ]
    assert shipped_away == []


def test_no_shipped_module_imports_a_dev_only_package(image_files):
    offenders = []
    for path in (f for f in image_files if f.endswith(".py")):
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in NOT_SHIPPED]
    assert offenders == []


# Imports every shipped module with the dev-only packages (and tests/, bench/) unimportable, as in the image.
IMPORT_EVERY_MODULE = """
import importlib, importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"{name} is not in the image", name=name)
sys.meta_path.insert(0, Block())
import django
django.setup()
for module in sys.argv[2:]:
    importlib.import_module(module)
from django.core.management import call_command
call_command("check")
print("imported", len(sys.argv) - 2)
"""


def test_every_shipped_module_imports_without_dev_packages(image_files, tmp_path):
    modules = [
        f[:-3].replace("/", ".").removesuffix(".__init__")
        for f in image_files
        if f.endswith(".py") and "/" in f and "migrations/" not in f
    ]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "resolutionflow.settings",
        "DEBUG": "0",
        "SECRET_KEY": "image-import-check-not-secret",
        "FIELD_ENCRYPTION_KEY": "ZGV2LW9ubHktcmVzb2x1dGlvbmZsb3ctZmVybmV0ayE=",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'image.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE, ",".join(sorted(NOT_SHIPPED)), *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == f"imported {len(modules)}"
