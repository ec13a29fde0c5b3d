"""Reading and writing КТП files in the shape teachers keep in spreadsheets.

Columns (first row, Russian headers): «№», «Раздел», «Тема», «Часы», and optionally
«Вид» and «Дата». CSV may be UTF-8 (with or without BOM) or Windows-1251, separated by
``;`` (what Russian Excel writes), ``,`` or a tab. XLSX: the first sheet.

Parsing never touches the database: it returns clean rows or every problem found, each
with its line number, so the caller can refuse the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ejournal.core.spreadsheet import (
    SpreadsheetRefused,
    csv_text,
    csv_untext,
    workbook_bytes,
    xlsx_rows,
)
from ejournal.planning.models import PlanItemKind

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_HOURS = 200

HEADERS = ["№", "Раздел", "Тема", "Часы", "Вид", "Дата"]
REQUIRED = ("number", "section", "topic", "hours")

# Accepted spellings of each header (compared lower-cased, without spaces and dots).
HEADER_ALIASES = {
    "number": {"№", "№п/п", "n", "no", "номер", "номерурока"},
    "section": {"раздел", "разделпрограммы", "тема(раздел)", "модуль"},
    "topic": {"тема", "темаурока", "темаурока(занятия)"},
    "hours": {"часы", "часов", "кол-вочасов", "количествочасов", "час"},
    "kind": {"вид", "видурока", "типурока", "видзанятия", "видработы"},
    "planned_date": {"дата", "датапоплану", "планируемаядата", "датапроведения"},
}
COLUMN_NAMES = {
    "number": "№",
    "section": "Раздел",
    "topic": "Тема",
    "hours": "Часы",
    "kind": "Вид",
    "planned_date": "Дата",
}

KIND_ALIASES: dict[str, str] = {}
for _value, _label in PlanItemKind.choices:
    KIND_ALIASES[_label.lower()] = _value
    KIND_ALIASES[_label.split()[0].lower()] = _value
KIND_ALIASES.update(
    {
        "к/р": PlanItemKind.CONTROL,
        "кр": PlanItemKind.CONTROL,
        "п/р": PlanItemKind.PRACTICAL,
        "пр": PlanItemKind.PRACTICAL,
        "л/р": PlanItemKind.LABORATORY,
        "лр": PlanItemKind.LABORATORY,
        "изложение": PlanItemKind.ESSAY,
        "сочинение": PlanItemKind.ESSAY,
        "зачет": PlanItemKind.TEST,
    }
)


@dataclass(frozen=True)
class ItemRow:
    """One clean row of a plan file (or of a plan copied from another)."""

    number: int
    section: str
    topic: str
    hours: int
    kind: str
    planned_date: dt.date | None


class PlanFileError(Exception):
    """The file was refused; ``errors`` are Russian messages, one per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# --- Reading --------------------------------------------------------------------------


def read_plan_file(
    *, name: str, content: bytes, year_start: dt.date | None = None, year_end: dt.date | None = None
) -> list[ItemRow]:
    """Parse a CSV or XLSX plan file; raise ``PlanFileError`` listing every bad row."""
    if not content:
        raise PlanFileError(["Файл пустой."])
    if len(content) > MAX_FILE_BYTES:
        raise PlanFileError(["Файл больше 2 МБ — это не похоже на КТП."])
    is_xlsx = content[:2] == b"PK" or name.lower().endswith(".xlsx")
    lines = _xlsx_lines(content) if is_xlsx else _csv_lines(content)
    return _parse_lines(lines, year_start=year_start, year_end=year_end)


def _csv_lines(content: bytes) -> list[tuple[int, list]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes almost any bytes
        raise PlanFileError(["Не удалось прочитать файл: сохраните его в UTF-8 или Windows-1251."])
    if "\x00" in text:
        raise PlanFileError(["Файл не похож на CSV или XLSX."])
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, [csv_untext(v) for v in row]) for row in reader]
    except csv.Error as exc:
        raise PlanFileError([f"Строка {reader.line_num}: ошибка формата CSV ({exc})."]) from exc


def _xlsx_lines(content: bytes) -> list[tuple[int, list]]:
    try:
        rows = xlsx_rows(content, max_rows=MAX_ROWS + 50)
    except SpreadsheetRefused as refused:
        raise PlanFileError([str(refused)]) from None
    return list(enumerate(rows, start=1))


def _header_key(value) -> str:
    return re.sub(r"[\s.]", "", str(value or "")).lower()


def _header_columns(header_line: int, header: list) -> dict[str, int]:
    """Which column holds which field, by the header's names (the first alias wins)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        for field, aliases in HEADER_ALIASES.items():
            if key in aliases and field not in columns:
                columns[field] = index
    missing = [COLUMN_NAMES[f] for f in REQUIRED if f not in columns]
    if missing:
        names = ", ".join(f"«{m}»" for m in missing)
        raise PlanFileError(
            [
                f"Строка {header_line}: нет столбцов {names}. Первая строка файла должна "
                "содержать заголовки «№», «Раздел», «Тема», «Часы» (и, если нужно, «Вид», "
                "«Дата»)."
            ]
        )
    return columns


def _kind(kind_text: str, topic: str, problems: list[str]) -> str | None:
    """The item's kind (a lesson when the cell is empty); what is wrong goes to
    ``problems``."""
    kind = KIND_ALIASES.get(kind_text.lower()) if kind_text else PlanItemKind.LESSON
    if kind is None:
        problems.append(f"«Вид» — неизвестный вид «{kind_text}»; допустимы: {_kind_list()}")
    elif (
        kind
        in (
            PlanItemKind.CONTROL,
            PlanItemKind.PRACTICAL,
            PlanItemKind.LABORATORY,
        )
        and not topic
    ):
        problems.append(f"«Тема» обязательна для вида «{PlanItemKind(kind).label}»")
    return kind


def _parse_lines(
    lines: list[tuple[int, list]], *, year_start: dt.date | None, year_end: dt.date | None
) -> list[ItemRow]:
    lines = [(n, row) for n, row in lines if any(_text(cell) for cell in row)]
    if not lines:
        raise PlanFileError(["В файле нет ни одной строки."])
    columns = _header_columns(*lines[0])
    body = lines[1:]
    if not body:
        raise PlanFileError(["В файле только заголовки, тем нет."])
    if len(body) > MAX_ROWS:
        raise PlanFileError([f"Слишком много строк: не больше {MAX_ROWS} тем в одном плане."])

    errors: list[str] = []
    rows: list[ItemRow] = []
    seen_numbers: dict[int, int] = {}
    for line, cells in body:

        def cell(field: str, cells=cells):
            index = columns.get(field)
            return cells[index] if index is not None and index < len(cells) else None

        problems: list[str] = []
        number = _positive_int(cell("number"))
        if number is None:
            problems.append(
                f"«№» — нужно целое число больше нуля, указано «{_text(cell('number'))}»"
            )
        elif number in seen_numbers:
            problems.append(f"«№» {number} уже есть в строке {seen_numbers[number]}")
        hours = _positive_int(cell("hours"))
        if hours is None or hours > MAX_HOURS:
            problems.append(
                f"«Часы» — нужно целое число от 1 до {MAX_HOURS}, указано «{_text(cell('hours'))}»"
            )
        section = _text(cell("section"))
        topic = _text(cell("topic"))
        if len(section) > 300:
            problems.append("«Раздел» длиннее 300 символов")
        if len(topic) > 500:
            problems.append("«Тема» длиннее 500 символов")
        kind = _kind(_text(cell("kind")), topic, problems)
        planned_date, date_problem = _date(cell("planned_date"))
        if date_problem:
            problems.append(date_problem)
        elif (
            planned_date
            and year_start
            and year_end
            and not (year_start <= planned_date <= year_end)
        ):
            problems.append(
                f"«Дата» {planned_date:%d.%m.%Y} вне учебного года "
                f"({year_start:%d.%m.%Y} – {year_end:%d.%m.%Y})"
            )
        if problems:
            errors.append(f"Строка {line}: " + "; ".join(problems) + ".")
            continue
        assert number is not None and hours is not None and kind is not None
        seen_numbers[number] = line
        rows.append(ItemRow(number, section, topic, hours, kind, planned_date))
    if errors:
        raise PlanFileError(errors)
    rows.sort(key=lambda r: r.number)
    return rows


def _kind_list() -> str:
    return ", ".join(label for _, label in PlanItemKind.choices)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _positive_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    text = _text(value).replace(",", ".")
    if re.fullmatch(r"\d+(\.0+)?", text):
        number = int(text.split(".")[0])
        return number if number > 0 else None
    return None


DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y")


def _date(value) -> tuple[dt.date | None, str]:
    if value is None or _text(value) == "":
        return None, ""
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date(), ""
        except ValueError:
            continue
    return None, f"«Дата» — нужна дата вида ДД.ММ.ГГГГ, указано «{text}»"


# --- Writing --------------------------------------------------------------------------


def _row_values(item) -> list:
    return [
        item.number,
        item.section,
        item.topic,
        item.hours,
        PlanItemKind(item.kind).label,
        item.planned_date,
    ]


def plan_csv(items) -> bytes:
    """UTF-8 with BOM and ``;``: Russian Excel opens it with the right letters and columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for item in items:
        values = _row_values(item)
        values[5] = f"{values[5]:%d.%m.%Y}" if values[5] else ""
        writer.writerow([csv_text(v) for v in values])
    return buffer.getvalue().encode("utf-8-sig")


def plan_xlsx(items, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "КТП"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in items:
        sheet.append(_row_values(item))
        sheet.cell(row=sheet.max_row, column=6).number_format = "DD.MM.YYYY"
    for column, width in zip("ABCDEF", (6, 30, 60, 7, 22, 12), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    return workbook_bytes(workbook)


def table_xlsx(*, title: str, headers: list[str], rows: list[list], widths: list[int]) -> bytes:
    """A one-sheet report: a title line, bold headers, then the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Отчёт"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
    return workbook_bytes(workbook)
