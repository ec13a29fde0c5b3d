"""The catalogue of reports and the shapes every report returns.

How to add a report
===================
1. Create ``ejournal/reports/builders/<slug>.py`` (``slug`` with underscores, e.g.
   ``class_results``). The module defines ``REPORT = Report(...)`` and its builder::

       from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table

       def build(*, scope, params) -> ReportResult:
           school_class = params["school_class"]       # already checked against the scope
           rows = [...]                                  # plain values: str, int, Decimal, date
           return ReportResult(
               subtitle=f"{school_class} класс, {params['period_label']}",
               tables=[Table(columns=[Column("Ученик"), Column("Пропуски", "int")], rows=rows)],
               headline=[Figure("Учеников", len(rows))],
               notes=["Как считаются показатели ..."],
           )

       REPORT = Report(
           slug="class-results", number=6, title="Итоги успеваемости класса за период",
           roles=SCHOOL_WIDE | {HOMEROOM}, filters=("period", "school_class"),
           required=("school_class",), build=build,
       )

   Modules in ``builders/`` are discovered automatically: no list to edit.
2. ``roles``: who may open it (``ejournal.accounts.models.Role`` values and ``HOMEROOM``).
   A homeroom teacher always gets a scope whose ``classes`` are their own classes only and
   whose class filter offers only those; school-wide roles get every class of the school.
   The municipal inspector (``Role.INSPECTOR``) gets ``scope.schools`` of the municipality
   and ``scope.personal_data == False``: the builder must return aggregates only.
3. ``filters``: any of ``FILTERS`` (see ``ejournal.reports.forms``). The builder receives
   the cleaned values in ``params``: ``year``, ``school`` (the school the report is
   about; for school staff always their school), ``period`` (a StudyPeriod or None for
   the whole year) with ``start``/``end``/``period_label``; ``start``/``end`` for
   ``date_range``; ``date``; ``grade``; ``school_class``; ``subject``; ``teacher``.
   ``required`` names the filters that must be filled.
4. Write names with ``student.short_name`` / ``full_name`` (they show the code of a
   pseudonymised student) and add ``pseudonym_notes(students)`` to ``notes``.
5. Reads go through selectors with a fixed number of queries; ``scope.progress(done,
   total)`` reports progress of a long build (shown as a progress bar when the report
   runs in the background: set ``background=True``).
6. Tests: a hand-built dataset asserting the figures, roles parametrized over
   ``client_for``, XLSX/PDF containing the headline figures (see tests/test_framework.py).
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

# --- What a report returns ------------------------------------------------------------

COLUMN_KINDS = ("text", "int", "decimal", "percent", "date")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # one of COLUMN_KINDS: how a value is aligned and formatted

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind}")


# The distribution of marks and its two rates, as several reports show them.
MARK_COUNT_COLUMNS = tuple(Column(t, "int") for t in ("«5»", "«4»", "«3»", "«2»", "н/а"))
RATE_COLUMNS = (Column("Качество, %", "percent"), Column("Успеваемость, %", "percent"))


@dataclass
class Group:
    """Rows under a title line, with an optional subtotal line (same columns)."""

    title: str
    rows: list[list[Any]]
    subtotal: list[Any] | None = None


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    totals: list[Any] | None = None  # the «Итого» line
    title: str = ""

    def all_rows(self) -> list[list[Any]]:
        rows = list(self.rows)
        for group in self.groups:
            rows.extend(group.rows)
        return rows


@dataclass(frozen=True)
class Figure:
    """A headline figure shown above the table: «Учеников на начало периода: 27»."""

    label: str
    value: Any
    kind: str = "text"  # a column kind: "percent" prints one decimal place, "decimal" two


@dataclass(frozen=True)
class Chart:
    """Bars drawn above the tables as inline SVG (``ejournal.core.charts``) with the
    numbers in a table for screen readers: «Средний балл по предметам»."""

    title: str
    bars: list[tuple[str, float | None]]
    max_value: float | None  # None: the largest bar
    unit: str = ""  # "%" → «97 %»; empty → two decimals («4,25»)


@dataclass
class ReportResult:
    tables: list[Table]
    headline: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    subtitle: str = ""
    # Lines like «Классный руководитель» for a paper copy; empty: the report's own.
    signatures: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "charts": [
                {"title": c.title, "bars": c.bars, "max": c.max_value, "unit": c.unit}
                for c in self.charts
            ],
            "subtitle": self.subtitle,
            "signatures": self.signatures,
            "notes": self.notes,
            "headline": [[f.label, _jsonable(f.value), f.kind] for f in self.headline],
            "tables": [
                {
                    "title": t.title,
                    "columns": [[c.title, c.kind] for c in t.columns],
                    "rows": [[_jsonable(v) for v in row] for row in t.rows],
                    "groups": [
                        {
                            "title": g.title,
                            "rows": [[_jsonable(v) for v in row] for row in g.rows],
                            "subtotal": (
                                [_jsonable(v) for v in g.subtotal] if g.subtotal else None
                            ),
                        }
                        for g in t.groups
                    ],
                    "totals": [_jsonable(v) for v in t.totals] if t.totals else None,
                }
                for t in self.tables
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> ReportResult:
        return cls(
            charts=[
                Chart(c["title"], [(label, v) for label, v in c["bars"]], c["max"], c["unit"])
                for c in data.get("charts", [])
            ],
            subtitle=data["subtitle"],
            signatures=data["signatures"],
            notes=data["notes"],
            headline=[
                Figure(label, _unjson(value), kind) for label, value, kind in data["headline"]
            ],
            tables=[
                Table(
                    title=t["title"],
                    columns=[Column(title, kind) for title, kind in t["columns"]],
                    rows=[[_unjson(v) for v in row] for row in t["rows"]],
                    groups=[
                        Group(
                            g["title"],
                            [[_unjson(v) for v in row] for row in g["rows"]],
                            [_unjson(v) for v in g["subtotal"]] if g["subtotal"] else None,
                        )
                        for g in t["groups"]
                    ],
                    totals=[_unjson(v) for v in t["totals"]] if t["totals"] else None,
                )
                for t in data["tables"]
            ],
        )


def _jsonable(value: Any) -> Any:
    # Stored runs keep exact decimals and dates, so a download equals the screen.
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _unjson(value: Any) -> Any:
    if isinstance(value, dict):
        if "d" in value:
            return Decimal(value["d"])
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
    return value


# --- Formatting shared by the screen, XLSX and PDF ------------------------------------


def cell_text(value: Any, kind: str = "text") -> str:
    """How a value reads on paper: decimal comma, dd.mm.yyyy, «—» for no figure."""
    if value is None:
        return "—" if kind in ("decimal", "percent") else ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, Decimal | float):
        # Percentages with one place, averages with two; elsewhere as the builder rounded.
        if kind in ("percent", "decimal"):
            places = 1 if kind == "percent" else 2
            return f"{Decimal(value):.{places}f}".replace(".", ",")
        return str(value).replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


# --- The catalogue --------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    slug: str
    number: int
    title: str
    roles: frozenset[str]
    filters: tuple[str, ...]
    build: Callable[..., ReportResult]
    required: tuple[str, ...] = ()
    description: str = ""
    background: bool = False
    # Signature lines of the paper copy (PDF), e.g. ("Директор", "Заместитель директора").
    signatures: tuple[str, ...] = ()
    landscape: bool = False

    def __post_init__(self) -> None:
        from ejournal.reports.forms import FILTERS

        unknown = set(self.filters) - set(FILTERS)
        if unknown or not set(self.required) <= set(self.filters):
            raise ValueError(f"report {self.slug}: bad filters {unknown or self.required}")


@cache
def _discovered() -> dict[str, Report]:
    from ejournal.reports import builders

    found: dict[str, Report] = {}
    for info in pkgutil.iter_modules(builders.__path__):
        module = importlib.import_module(f"{builders.__name__}.{info.name}")
        report = getattr(module, "REPORT", None)
        if report is None:
            continue
        if report.slug in found:
            raise ValueError(f"two reports named {report.slug}")
        found[report.slug] = report
    return dict(sorted(found.items(), key=lambda item: (item[1].number, item[0])))


def all_reports() -> list[Report]:
    return list(_discovered().values())


def get_report(slug: str) -> Report | None:
    return _discovered().get(slug)


def pseudonym_notes(students: Iterable[Any]) -> list[str]:
    """The order lines a printed report carries for pseudonymised students (001 §6.3.5).

    Select ``pseudonym_order`` with the students to keep this query-free."""
    from ejournal.people.services import order_note

    notes, seen = [], set()
    for student in students:
        if student.pk in seen or not student.pseudonym:
            continue
        seen.add(student.pk)
        if note := order_note(student):
            notes.append(note)
    return notes
