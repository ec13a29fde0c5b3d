"""The plan of the house: every app sits on a floor and imports only apps below it (or
beside it on the same floor), there is no import cycle between apps, and the demo builder
is imported by nothing but the demo's own commands and tests.

The floors are ``LAYERS`` below, bottom first; README's "Project layout" lists the apps in
the same order. Every import counts: module level, inside functions, under
``TYPE_CHECKING``. Tests, migrations and the test-only packages (``testing``, ``e2e``) are
not part of the house.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

EJOURNAL = Path(__file__).resolve().parents[2]

# Bottom first; apps on one floor (a tuple of several) may import each other, as long as
# that makes no cycle.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("audit",),
    ("accounts",),
    ("school",),
    ("people",),
    ("schedule",),
    ("planning",),
    ("journal",),
    ("attestation",),
    ("notifications",),
    ("messaging",),
    ("diary",),
    ("security",),
    ("oidc",),
    ("reports",),
    ("archive",),
    ("api", "webapi"),
    ("demo",),
)
TEST_ONLY_PACKAGES = {"testing", "e2e"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "ejournal.journal.selectors"
    target: str  # the imported module, e.g. "ejournal.school.models"
    line: int

    @property
    def app(self) -> str:
        return self.module.split(".")[1]

    @property
    def target_app(self) -> str | None:
        parts = self.target.split(".")
        return parts[1] if parts[0] == "ejournal" and len(parts) > 1 else None

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(EJOURNAL.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[Import]:
    """Every import in ``source``, wherever it stands, with relative ones resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # ``from ejournal import journal`` names the app in the imported name.
            targets = [f"{base}.{a.name}" for a in node.names] if base == "ejournal" else [base]
            found += [Import(module, target, node.lineno) for target in targets]
    return sorted(found, key=lambda imp: imp.line)


def is_test_code(path: Path) -> bool:
    parts = path.relative_to(EJOURNAL).parts
    return (
        parts[0] in TEST_ONLY_PACKAGES
        or "tests" in parts
        or "migrations" in parts
        or path.name.startswith("test_")
        or path.name == "conftest.py"
    )


def house_modules() -> list[Path]:
    return [
        p
        for p in sorted(EJOURNAL.rglob("*.py"))
        if len(p.relative_to(EJOURNAL).parts) > 1 and not is_test_code(p)
    ]


def cross_app_imports() -> list[Import]:
    found = []
    for path in house_modules():
        module = module_name(path)
        for imp in imports_of(path.read_text(), module, is_package=path.name == "__init__.py"):
            if imp.target_app and imp.target_app != imp.app:
                found.append(imp)
    return found


FLOOR = {app: floor for floor, apps in enumerate(LAYERS) for app in apps}


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one app (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_app_has_a_floor_and_is_installed():
    packages = {
        p.parent.name
        for p in EJOURNAL.glob("*/__init__.py")
        if p.parent.name not in TEST_ONLY_PACKAGES
    }
    installed = {
        app.split(".")[1] for app in settings.INSTALLED_APPS if app.startswith("ejournal.")
    }
    assert packages == set(FLOOR) == installed
    assert len(FLOOR) == sum(len(apps) for apps in LAYERS)  # no app on two floors


def test_the_scan_counts_imports_inside_functions_and_relative_ones():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import rules\n"
        "from ..school import models\n"
        "if TYPE_CHECKING:\n"
        "    from ejournal.reports.models import Report\n"
        "def f():\n"
        "    from ejournal.attestation import selectors\n"
        "    import ejournal.diary.views\n"
        "from ejournal import planning\n"
    )
    found = imports_of(source, "ejournal.journal.selectors")
    assert [(i.target, i.line) for i in found] == [
        ("typing", 1),
        ("ejournal.journal", 2),
        ("ejournal.school", 3),
        ("ejournal.reports.models", 5),
        ("ejournal.attestation", 7),
        ("ejournal.diary.views", 8),
        ("ejournal.planning", 9),
    ]


def test_no_app_imports_an_app_above_it():
    upward = [str(imp) for imp in cross_app_imports() if FLOOR[imp.target_app] > FLOOR[imp.app]]
    assert upward == [], "imports pointing up a floor:\n" + "\n".join(upward)


def test_no_import_cycle_between_apps():
    edges = {(i.app, i.target_app) for i in cross_app_imports()}
    assert cycles(edges) == []


DEMO_BUILDER_USERS = (
    "ejournal.demo.builder",
    "ejournal.demo.management.commands.",
    "ejournal.demo.tests",
)


def test_the_demo_builder_is_imported_only_by_the_demos_commands_and_tests():
    """Other apps' tests may build the demo school; no product code may."""
    importers = set()
    for path in sorted(EJOURNAL.rglob("*.py")):
        module = module_name(path)
        inside_demo = module.startswith("ejournal.demo.")
        for imp in imports_of(path.read_text(), module, is_package=path.name == "__init__.py"):
            from_outside = not inside_demo and not is_test_code(path)
            if imp.target.startswith("ejournal.demo") and from_outside:
                importers.add(module)
            builder = imp.target.startswith("ejournal.demo.builder")
            if builder and inside_demo and not module.startswith(DEMO_BUILDER_USERS):
                importers.add(module)
    assert importers == set()
