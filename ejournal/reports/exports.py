"""A report result as an XLSX workbook (openpyxl) or an A4 PDF (Typst)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ejournal.core.pdf import render_typst
from ejournal.core.spreadsheet import workbook_bytes
from ejournal.reports.registry import Report, ReportResult, Table, cell_text

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return cell_text(value, kind)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)  # the deployment's clock (Excel has no zones)
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


def _write_row(sheet, row: int, values: list[Any], table: Table, *, bold: bool = False) -> None:
    for index, value in enumerate(values, start=1):
        kind = table.columns[index - 1].kind if index <= len(table.columns) else "text"
        cell = sheet.cell(row=row, column=index, value=_xlsx_value(value, kind))
        if isinstance(value, dt.date):
            cell.number_format = "DD.MM.YYYY"
        elif kind == "decimal":
            cell.number_format = "0.00"
        elif kind == "percent":
            cell.number_format = "0.0"
        if bold:
            cell.font = BOLD


def to_xlsx(*, report: Report, result: ReportResult, school_name: str, formed: dt.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = report.title[:31]
    sheet.cell(row=1, column=1, value=school_name).font = BOLD
    sheet.cell(row=2, column=1, value=report.title).font = TITLE
    row = 3
    if result.subtitle:
        sheet.cell(row=row, column=1, value=result.subtitle)
        row += 1
    sheet.cell(row=row, column=1, value=f"Дата формирования: {formed:%d.%m.%Y}")
    row += 2
    for figure in result.headline:
        sheet.cell(row=row, column=1, value=figure.label).font = BOLD
        sheet.cell(row=row, column=2, value=_xlsx_value(figure.value, figure.kind))
        row += 1
    if result.headline:
        row += 1
    widths: dict[int, int] = {}
    for table in result.tables:
        row = _xlsx_table(sheet, row, table, widths) + 1
    for note in result.notes:
        sheet.cell(row=row, column=1, value=note)
        row += 1
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = width
    return workbook_bytes(workbook)


def _xlsx_table(sheet, row: int, table: Table, widths: dict[int, int]) -> int:
    """One table from ``row`` on: title, header, rows, groups, totals. Widens ``widths``
    to its texts; returns the first row after it."""
    if table.title:
        sheet.cell(row=row, column=1, value=table.title).font = TITLE
        row += 1
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=row, column=index, value=column.title)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths[index] = max(widths.get(index, 8), min(len(column.title) + 2, 40))
    row += 1
    for values in table.rows:
        _write_row(sheet, row, values, table)
        row += 1
    for group in table.groups:
        sheet.cell(row=row, column=1, value=group.title).font = BOLD
        row += 1
        for values in group.rows:
            _write_row(sheet, row, values, table)
            row += 1
        if group.subtotal:
            _write_row(sheet, row, group.subtotal, table, bold=True)
            row += 1
    if table.totals:
        _write_row(sheet, row, table.totals, table, bold=True)
        row += 1
    for values in table.all_rows():
        for index, value in enumerate(values, start=1):
            widths[index] = max(widths.get(index, 8), min(len(cell_text(value)) + 2, 40))
    return row


def _texts(values: list[Any], table: Table) -> list[str]:
    kinds = [c.kind for c in table.columns]
    return [cell_text(v, kinds[i] if i < len(kinds) else "text") for i, v in enumerate(values)]


def pdf_data(*, report: Report, result: ReportResult, school_name: str, formed: dt.date) -> dict:
    tables = []
    for table in result.tables:
        tables.append(
            {
                "title": table.title,
                "columns": [c.title for c in table.columns],
                "numeric": [c.kind in ("int", "decimal", "percent") for c in table.columns],
                "rows": [_texts(r, table) for r in table.rows],
                "groups": [
                    {
                        "title": g.title,
                        "rows": [_texts(r, table) for r in g.rows],
                        "subtotal": _texts(g.subtotal, table) if g.subtotal else None,
                    }
                    for g in table.groups
                ],
                "totals": _texts(table.totals, table) if table.totals else None,
            }
        )
    widest = max((len(t.columns) for t in result.tables), default=0)
    return {
        "school": school_name,
        "title": report.title,
        "subtitle": result.subtitle,
        "formed": formed.strftime("%d.%m.%Y"),
        "headline": [[f.label, cell_text(f.value, f.kind) or "—"] for f in result.headline],
        "tables": tables,
        "notes": result.notes,
        "signatures": result.signatures or list(report.signatures),
        "landscape": report.landscape or widest > 9,
        "small": widest > 14,
    }


def to_pdf(*, report: Report, result: ReportResult, school_name: str, formed: dt.date) -> bytes:
    data = pdf_data(report=report, result=result, school_name=school_name, formed=formed)
    return render_typst("reports/report.typ", data)
