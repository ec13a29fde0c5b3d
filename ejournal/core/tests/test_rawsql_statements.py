"""Every hand-written statement goes through EXPLAIN on the database the suite runs on —
SQLite always, PostgreSQL when ``DATABASE_URL`` names one (``.ci/run``'s second pass) — so
a statement that one of the two cannot parse or plan fails here, not on a page.

The statements are the module-level ``*_SQL`` constants beside the selectors that send them
through ``core.rawsql``; a guard below keeps it that way (no other raw SQL in the code).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import string
from pathlib import Path

import pytest
from django.db import connection

import ejournal

pytestmark = pytest.mark.django_db

ROOT = Path(ejournal.__file__).parent
SKIPPED_PACKAGES = ("ejournal.e2e", "ejournal.testing")

# What ``rawsql.in_list`` puts in a statement, with one literal value in place of its
# parameter (its two forms: SQLite's ``IN (…)``, PostgreSQL's ``= ANY(array)``).
LIST = object()

# Each templated statement's format fields, as its selector fills them (every variant).
FILLS: dict[str, list[dict[str, object]]] = {
    "GRID_LESSONS_SQL": [{"one": ""}, {"one": " AND l.id = %s"}],
    "GRID_WORKS_SQL": [{"ids": LIST}],
    "GRID_MARKS_SQL": [{"ids": LIST}],
    "GRID_ATTENDANCE_SQL": [{"ids": LIST}],
    "ROW_MARKS_SQL": [{"ids": LIST}],
    "MEMBERS_SQL": [
        {"table": "school_classenrollment", "key": "school_class_id"},
        {"table": "school_groupmembership", "key": "group_id"},
    ],
    "FAMILY_ANNOUNCEMENTS_SQL": [{"students": LIST}],
    "MARK_ROW_SQL": [{"extra": ""}],
    "WEEK_MARKS_SQL": [{"lessons": LIST}],
    "WEEK_HOMEWORK_SQL": [{"lessons": LIST, "groups": LIST}],
}


def _code_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(ejournal.__path__, "ejournal."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts or info.name.startswith(SKIPPED_PACKAGES):
            continue
        names.append(info.name)
    return names


def _statements() -> dict[str, tuple[str, str]]:
    """``NAME_SQL`` → (module, text) for every constant defined (not imported) in a module."""
    found: dict[str, tuple[str, str]] = {}
    for name in _code_modules():
        module = importlib.import_module(name)
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        for attr, value in vars(module).items():
            defined_here = re.search(rf"^{attr}\s*=", source, re.MULTILINE)
            if attr.endswith("_SQL") and isinstance(value, str) and defined_here:
                assert attr not in found, f"{attr} is defined twice: give it one name"
                found[attr] = (name, value)
    return found


STATEMENTS = _statements()


def _variants(name: str, sql: str) -> list[str]:
    fields = {field for _, field, _, _ in string.Formatter().parse(sql) if field}
    fills = FILLS.get(name, [{}])
    assert {key for fill in fills for key in fill} == fields, (
        f"{name}: say in FILLS how its selector fills {sorted(fields)}"
    )
    listed = "= ANY(ARRAY[1])" if connection.vendor == "postgresql" else "IN (1)"
    return [
        sql.format(**{key: listed if value is LIST else value for key, value in fill.items()})
        for fill in fills
    ]


def _null_params(sql: str) -> list[None] | dict[str, None]:
    """NULL for every parameter: enough to parse and plan the statement."""
    named = re.findall(r"%\((\w+)\)s", sql)
    if named:
        return dict.fromkeys(named)
    return [None] * len(re.findall(r"(?<!%)%s", sql))


def _explain(sql: str) -> list[tuple]:
    """The plan (the database parses and plans the statement, and runs nothing)."""
    prefix = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {sql}", _null_params(sql))
        return cursor.fetchall()


def _writes(sql: str) -> bool:
    # SQLite plans no step for an INSERT … VALUES: parsing it is all EXPLAIN shows.
    return sql.lstrip().upper().startswith("INSERT")


def test_the_hand_written_statements_are_the_known_ones():
    # A new statement is welcome: add it here (and its fills above) so that it is explained.
    assert sorted(STATEMENTS) == [
        "CLOSED_RANGES_SQL",
        "DEFAULT_TYPE_SQL",
        "FAMILY_ANNOUNCEMENTS_SQL",
        "FAMILY_STUDENTS_SQL",
        "GRID_ATTENDANCE_SQL",
        "GRID_LESSONS_SQL",
        "GRID_MARKS_SQL",
        "GRID_WORKS_SQL",
        "LESSONS_SQL",
        "MARK_ROW_SQL",
        "MEMBERSHIPS_SQL",
        "MEMBERS_SQL",
        "PERIODS_SQL",
        "PERIOD_MARKS_SQL",
        "ROW_MARKS_SQL",
        "STAFF_SQL",
        "STUDENT_EVENTS_SQL",
        "SUBJECT_SQL",
        "TEACHER_COMMENTS_SQL",
        "VISIT_SQL",
        "WEEK_HOMEWORK_SQL",
        "WEEK_MARKS_SQL",
    ]


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_every_hand_written_statement_is_explained_by_the_database(name):
    module, sql = STATEMENTS[name]
    for variant in _variants(name, sql):
        plan = _explain(variant)
        assert plan or _writes(variant), f"{module}.{name}: no plan"


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _raw_sql_calls() -> list[tuple[str, int, set[str]]]:
    """Each ``rawsql.fetch``/``rawsql.execute`` call: (file, line, names its statement uses,
    following one local variable to what was assigned to it)."""
    calls = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or parts[0] in ("e2e", "testing"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assigned: dict[str, set[str]] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, set()).update(_names_in(node.value))
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("fetch", "execute")
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "rawsql"
                ):
                    names = _names_in(node.args[0])
                    for name in list(names):
                        names |= assigned.get(name, set())
                    calls.append((str(path.relative_to(ROOT)), node.lineno, names))
    return calls


def test_raw_sql_is_sent_only_from_named_statements():
    calls = _raw_sql_calls()
    assert len(calls) >= len(STATEMENTS) - 2  # the fragments are sent inside others
    unnamed = [f"{file}:{line}" for file, line, names in calls if not names & set(STATEMENTS)]
    assert unnamed == [], "give the statement a *_SQL name beside its selector"


def test_no_other_raw_sql_reaches_the_database_through_django():
    # core.rawsql sends the statements; core.bulk inserts rows with SQL it generates from
    # the model's own columns. Nothing else opens a Django cursor or hands the ORM raw SQL.
    # (Backups and the SQLite cache talk to their own connections, outside Django's.)
    allowed = {"core/rawsql.py", "core/bulk.py"}
    pattern = re.compile(r"connections?(\[[^]]*\])?\.cursor\(|RawSQL\(|\.raw\(|\.extra\(")
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        parts = path.relative_to(ROOT).parts
        if relative in allowed or "tests" in parts or "migrations" in parts:
            continue
        if parts[0] in ("e2e", "testing"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "rawsql." not in line:
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
