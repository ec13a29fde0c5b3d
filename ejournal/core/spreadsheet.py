"""Spreadsheets that carry text people typed: it must never become a live formula.

A topic, a name or an event title that begins with ``=``, ``+``, ``-`` or ``@`` is taken
for a formula by Excel and LibreOffice when the file is opened (CSV), or is stored as one
by openpyxl (XLSX, a string starting with ``=``). Every export goes through these two
functions: ``csv_text`` for CSV values, ``workbook_bytes`` for a finished workbook.
"""

from __future__ import annotations

import io
from typing import Any

# What a spreadsheet program reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV value that opens as the same text: a leading apostrophe, which spreadsheet
    programs show as "this is text" and the product's own imports take off again."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_untext(value: str) -> str:
    """Undo ``csv_text`` when a file exported by the product is imported back."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def neutralise_workbook(workbook) -> None:
    """Every cell openpyxl took for a formula (a string starting with «=») becomes the text
    it was: the product writes no formulas of its own."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def workbook_bytes(workbook) -> bytes:
    neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
