"""Behaviour is wired by name or through ``core.registry``: no hook lists filled from other
apps' ``ready()``, no event bus, no patched admin, no ambient state steering a service."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ejournal

ROOT = Path(ejournal.__file__).parent
THIS = Path(__file__)


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts or path == THIS:
            continue
        yield path, path.read_text("utf-8")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


OLD_HOOKS = (
    "START_PAGE_EXTENSIONS",
    "SIGN_IN_STEPS",
    "COMPROMISE_HOOKS",
    "SENT_HOOKS",
    "LESSON_DATA_CHECKS",
    "LESSON_DOCUMENTED_CHECKS",
    "CLOSED_PERIOD_PROVIDERS",
)


def test_no_hook_list_is_left():
    pattern = re.compile(r"\b(" + "|".join(OLD_HOOKS) + r")\b")
    found = [f"{_name(p)}: {m.group(1)}" for p, text in _sources() for m in pattern.finditer(text)]
    assert found == []


def test_no_module_keeps_an_empty_list_for_others_to_fill():
    found = []
    for path, text in _sources():
        if "tests" in path.parts:
            continue
        for node in ast.parse(text).body:
            target, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if (
                isinstance(target, ast.Name)
                and target.id.isupper()
                and isinstance(value, ast.List)
                and not value.elts
            ):
                found.append(f"{_name(path)}:{node.lineno} {target.id}")
    assert found == []


def test_app_configs_only_connect_django_signals():
    """``ready()`` registers nothing of ours: no appending, subscribing or patching."""
    found = []
    for path in sorted(ROOT.glob("*/apps.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.FunctionDef) and node.name == "ready"):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Attribute) and inner.attr in (
                    "append",
                    "extend",
                    "insert",
                    "subscribe",
                ):
                    found.append(f"{_name(path)}:{inner.lineno} .{inner.attr}")
                if isinstance(inner, ast.Assign) and any(
                    isinstance(t, ast.Attribute) for t in inner.targets
                ):
                    found.append(f"{_name(path)}:{inner.lineno} patches an attribute")
    assert found == []


def test_no_event_bus_and_no_patched_admin():
    assert not (ROOT / "journal" / "events.py").exists()
    patched = [_name(p) for p, text in _sources() if re.search(r"admin\.site\.\w+\s*=(?!=)", text)]
    assert patched == []


def test_the_only_context_variable_is_the_request_being_served():
    """Who sent the request (address, browser, role) reaches the audit trail as request
    context; nothing else is ambient — a batch of cells is passed as ``batch=``."""
    users = [_name(p) for p, text in _sources() if "ContextVar" in text]
    assert users == ["ejournal/core/request_context.py"]
