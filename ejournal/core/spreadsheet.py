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


class SpreadsheetRefused(ValueError):
    """A workbook too big to read; the message is for the person who uploaded it."""


# What an upload's sheets may unpack to: a class list of 5 000 rows is well under 10 MB of
# XML, while a 76 KB "row bomb" unpacks to hundreds of megabytes of empty cells.
MAX_SHEET_BYTES = 10 * 1024 * 1024


def xlsx_rows(content: bytes, *, max_rows: int, max_cols: int = 64) -> list[list[Any]]:
    """The first sheet's rows (values only, at most ``max_cols`` each), refusing before any
    parsing a file whose sheets unpack past MAX_SHEET_BYTES, and stopping at ``max_rows``
    + 1 rows (the caller says "too many rows")."""
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/")
                or info.filename == "xl/sharedStrings.xml"
            )
    except zipfile.BadZipFile:
        raise SpreadsheetRefused("Файл XLSX не читается: сохраните его заново в Excel.") from None
    if unpacked > MAX_SHEET_BYTES:
        raise SpreadsheetRefused(
            "Файл XLSX слишком велик: в нём больше данных, чем бывает в списке "
            f"(более {MAX_SHEET_BYTES // (1024 * 1024)} МБ после распаковки). "
            "Удалите пустые строки и столбцы или сохраните лист в CSV."
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetRefused("Файл XLSX не читается: сохраните его заново в Excel.") from None
    try:
        sheet = workbook.worksheets[0]
        # Read-only sheets trust the file's own <dimension>; a forged one must not matter.
        sheet.reset_dimensions()
        return [
            list(values)
            for values in sheet.iter_rows(max_row=max_rows + 1, max_col=max_cols, values_only=True)
        ]
    finally:
        workbook.close()
