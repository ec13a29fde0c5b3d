"""Uploaded workbooks are measured before they are parsed: a small file that unpacks into
millions of cells is refused at once, and no importer reads past its row limit."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from ejournal.accounts.models import Student
from ejournal.core import spreadsheet
from ejournal.core.spreadsheet import SpreadsheetRefused, xlsx_rows
from ejournal.people import contingent_import
from ejournal.planning import io as plan_io


def _workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_extra_rows(content: bytes, rows_xml: str, dimension: str | None = None) -> bytes:
    """The same workbook with raw rows appended to its sheet's XML, as a crafted file has."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("</sheetData>", rows_xml + "</sheetData>")
                if dimension:
                    text = text.replace(
                        '<dimension ref="A1:B2"/>', f'<dimension ref="{dimension}"/>'
                    )
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def _row_bomb() -> bytes:
    # A cell in the last column of 300 000 rows: ~1.5 MB packed, ~30 MB of XML unpacked.
    rows = "".join(
        f'<row r="{i}"><c r="XFD{i}" t="inlineStr"><is><t>x</t></is></c></row>'
        for i in range(3, 300_000)
    )
    return _with_extra_rows(_workbook(["Класс", "Фамилия"], ["5А", "Иванов"]), rows)


def test_a_row_bomb_is_refused_before_it_is_parsed(monkeypatch):
    bomb = _row_bomb()
    assert len(bomb) < 2 * 1024 * 1024

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the bomb was handed to the XML parser")

    monkeypatch.setattr("openpyxl.load_workbook", must_not_parse)
    with pytest.raises(SpreadsheetRefused, match="слишком велик"):
        xlsx_rows(bomb, max_rows=5000)


def test_the_contingent_import_refuses_the_bomb_in_russian_and_saves_nothing(world):
    before = Student.objects.count()
    with pytest.raises(ValidationError, match="слишком велик"):
        contingent_import.parse(
            school=world.school, year=world.year, name="list.xlsx", content=_row_bomb()
        )
    assert Student.objects.count() == before


def test_the_ktp_import_refuses_the_bomb():
    with pytest.raises(plan_io.PlanFileError) as refused:
        plan_io.read_plan_file(name="ktp.xlsx", content=_row_bomb())
    assert "слишком велик" in " ".join(refused.value.errors)


def test_rows_far_down_and_a_forged_dimension_are_not_walked_to(monkeypatch):
    # Under the size limit, but the sheet claims a million rows and has one far below.
    rows = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'
    content = _with_extra_rows(
        _workbook(["Класс", "Фамилия"], ["5А", "Иванов"]), rows, dimension="A1:XFD1048576"
    )
    read = xlsx_rows(content, max_rows=10, max_cols=4)
    assert len(read) == 11  # the limit and one more, to say "too many rows"
    assert all(len(row) == 4 for row in read)
    assert read[1][:2] == ["5А", "Иванов"]


def test_an_ordinary_class_list_is_read_whole():
    content = _workbook(["Класс", "Фамилия"], *[["5А", f"Ученик {i}"] for i in range(30)])
    read = xlsx_rows(content, max_rows=5000, max_cols=2)
    assert len(read) == 31 and read[-1] == ["5А", "Ученик 29"]
    assert spreadsheet.MAX_SHEET_BYTES >= 5 * 1024 * 1024
