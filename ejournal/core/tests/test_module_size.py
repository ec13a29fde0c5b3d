"""STYLE.md: a module becomes a package when it outgrows ~500 lines. Tests, migrations
and the test-only packages aside, no module of the product is longer."""

from __future__ import annotations

from pathlib import Path

import ejournal

ROOT = Path(ejournal.__file__).parent
LIMIT = 500
NOT_PRODUCT = {"tests", "migrations", "e2e", "testing"}


def test_no_module_outgrows_500_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in ROOT.rglob("*.py")
        if not NOT_PRODUCT & set(path.relative_to(ROOT).parts)
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not long, f"split these into packages (STYLE.md): {long}"
