"""КТП files: import of CSV (as Russian Excel writes it) and XLSX, refusal of bad files
with line numbers and nothing saved, and export → import round trips."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from ejournal.audit.models import AuditEvent
from ejournal.planning import io as plan_io
from ejournal.planning import services
from ejournal.planning.models import PlanItemKind
from ejournal.planning.tests.conftest import item

VALID_ROWS = [
    ["№", "Раздел", "Тема", "Часы", "Вид", "Дата"],
    ["1", "Натуральные числа", "Обозначение натуральных чисел", "2", "", "02.09.2026"],
    ["2", "Натуральные числа", "Отрезок. Длина отрезка", "1", "урок", ""],
    ["3", "Натуральные числа", "Контрольная работа №1", "1", "контрольная работа", "10.09.2026"],
    ["4", "Сложение", "Сложение натуральных чисел", "3", "повторение", ""],
]


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig"):
    return "\r\n".join(delimiter.join(r) for r in rows).encode(encoding)


def xlsx_bytes(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def stored(plan):
    return list(
        plan.items.order_by("number").values_list(
            "number", "section", "topic", "hours", "kind", "planned_date"
        )
    )


EXPECTED = [
    (1, "Натуральные числа", "Обозначение натуральных чисел", 2, "lesson", dt.date(2026, 9, 2)),
    (2, "Натуральные числа", "Отрезок. Длина отрезка", 1, "lesson", None),
    (3, "Натуральные числа", "Контрольная работа №1", 1, "control", dt.date(2026, 9, 10)),
    (4, "Сложение", "Сложение натуральных чисел", 3, "revision", None),
]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(csv_bytes(VALID_ROWS), id="utf8-bom-semicolon"),
        pytest.param(csv_bytes(VALID_ROWS, ",", "cp1251"), id="cp1251-comma"),
        pytest.param(csv_bytes(VALID_ROWS, ";", "utf-8"), id="utf8-no-bom"),
    ],
)
def test_valid_csv_is_imported(pw, content):
    plan = pw.plan()
    count = services.thematic_plan_import(actor=None, plan=plan, name="ktp.csv", content=content)
    assert count == 4
    assert stored(plan) == EXPECTED
    assert AuditEvent.objects.filter(action="thematic_plan.imported").count() == 1


def test_valid_xlsx_is_imported_with_numeric_and_date_cells(pw):
    rows = [VALID_ROWS[0]] + [
        [1, "Натуральные числа", "Обозначение натуральных чисел", 2, None, dt.datetime(2026, 9, 2)],
        [2.0, "Натуральные числа", "Отрезок. Длина отрезка", 1.0, "урок", None],
        [3, "Натуральные числа", "Контрольная работа №1", 1, "к/р", "10.09.2026"],
        [4, "Сложение", "Сложение натуральных чисел", 3, "Повторение", ""],
    ]
    plan = pw.plan()
    services.thematic_plan_import(actor=None, plan=plan, name="ktp.xlsx", content=xlsx_bytes(rows))
    assert stored(plan) == EXPECTED


def test_rows_are_ordered_by_number_and_renumbered(pw):
    rows = [
        ["№", "Раздел", "Тема", "Часы"],
        ["10", "", "Третья", "1"],
        ["2", "", "Первая", "1"],
        ["5", "", "Вторая", "2"],
    ]
    plan = pw.plan()
    services.thematic_plan_import(actor=None, plan=plan, name="k.csv", content=csv_bytes(rows))
    assert [(n, t, h) for n, _, t, h, _, _ in stored(plan)] == [
        (1, "Первая", 1),
        (2, "Вторая", 2),
        (3, "Третья", 1),
    ]


BAD_ROWS = [
    ["№", "Раздел", "Тема", "Часы", "Вид", "Дата"],
    ["1", "Раздел", "Хорошая строка", "1", "", ""],
    ["2", "Раздел", "Полтора часа", "1,5", "", ""],
    ["x", "Раздел", "Номер не число", "1", "", ""],
    ["4", "Раздел", "", "1", "лабораторная работа", ""],
    ["5", "Раздел", "Неизвестный вид", "1", "семинарище", ""],
    ["6", "Раздел", "Дата после года", "1", "", "15.06.2027"],
    ["1", "Раздел", "Повтор номера", "1", "", ""],
    ["8", "Раздел", "Ноль часов", "0", "", "31.02.2027"],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_file_is_refused_line_by_line_and_nothing_is_saved(pw, fmt):
    plan = pw.plan(items=[item("Старая тема", 2)])
    before = stored(plan)
    content = csv_bytes(BAD_ROWS) if fmt == "csv" else xlsx_bytes(BAD_ROWS)
    with pytest.raises(ValidationError) as exc:
        services.thematic_plan_import(actor=None, plan=plan, name=f"k.{fmt}", content=content)
    errors = exc.value.messages
    assert [e.split(":")[0] for e in errors] == [
        "Строка 3",
        "Строка 4",
        "Строка 5",
        "Строка 6",
        "Строка 7",
        "Строка 8",
        "Строка 9",
    ]
    assert "«Часы»" in errors[0] and "1,5" in errors[0]
    assert "«№»" in errors[1]
    assert "обязательна" in errors[2] and "лабораторная работа" in errors[2]
    assert "семинарище" in errors[3]
    assert "вне учебного года" in errors[4]
    assert "уже есть в строке 2" in errors[5]
    assert "«Часы»" in errors[6] and "«Дата»" in errors[6]
    assert stored(plan) == before
    assert not AuditEvent.objects.filter(action="thematic_plan.imported").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "пустой"),
        (csv_bytes([["Номер", "Тема"], ["1", "А"]]), "нет столбцов «Раздел», «Часы»"),
        (csv_bytes([["№", "Раздел", "Тема", "Часы"]]), "только заголовки"),
        (b"PK\x03\x04broken", "XLSX"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(pw, content, message):
    plan = pw.plan(items=[item("Старая тема")])
    with pytest.raises(ValidationError) as exc:
        services.thematic_plan_import(actor=None, plan=plan, name="k.csv", content=content)
    assert message in " ".join(exc.value.messages)
    assert plan.items.count() == 1


def test_export_csv_is_excel_friendly(pw):
    plan = pw.plan(items=[item("Тема; с точкой с запятой", 2, planned_date=dt.date(2026, 9, 3))])
    content = plan_io.plan_csv(plan.items.order_by("number"))
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == "№;Раздел;Тема;Часы;Вид;Дата"
    assert text.splitlines()[1] == '1;;"Тема; с точкой с запятой";2;урок;03.09.2026'


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trip_is_exact(pw, fmt):
    source = pw.plan(
        items=[
            item("Введение", 1, section="Глава 1", planned_date=dt.date(2026, 9, 1)),
            item("Лабораторная: «измерения», 5%", 2, PlanItemKind.LABORATORY, "Глава 1"),
            item("Экскурсия в музей", 1, PlanItemKind.EXCURSION, "Глава 2"),
            item("", 3, PlanItemKind.REVISION, "Глава 2", dt.date(2027, 5, 20)),
            item("=1+1 — не формула", 1, section="=A1"),
        ]
    )
    items = source.items.order_by("number")
    content = plan_io.plan_csv(items) if fmt == "csv" else plan_io.plan_xlsx(items, title="К")
    target = pw.plan(grade=5)
    services.thematic_plan_import(actor=None, plan=target, name=f"k.{fmt}", content=content)
    assert stored(target) == stored(source)
