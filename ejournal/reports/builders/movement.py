"""1. Движение обучающихся: per class the students at the start and the end of a range
of days, who arrived and who left, and the list of movements with their orders."""

from __future__ import annotations

from django.db.models import Q

from ejournal.accounts.models import HOMEROOM, MovementKind, StudentMovement
from ejournal.reports import selectors
from ejournal.reports.builders.class_results import classes_in_scope
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table, pseudonym_notes


def build(*, scope, params) -> ReportResult:
    start, end = params["start"], params["end"]
    classes = classes_in_scope(scope=scope, params=params)
    rosters = {
        r.school_class.pk: r for r in selectors.rosters(classes=classes, start=start, end=end)
    }
    # A movement effective on the first day is already in the count at the start.
    movements = list(
        StudentMovement.objects.filter(
            Q(from_class__in=classes) | Q(to_class__in=classes),
            effective_date__gt=start,
            effective_date__lte=end,
        )
        .select_related("student__pseudonym_order", "order", "from_class", "to_class")
        .order_by("effective_date", "id")
    )
    arrived: dict[int, int] = {}
    left: dict[int, int] = {}
    for movement in movements:
        if movement.to_class_id:
            arrived[movement.to_class_id] = arrived.get(movement.to_class_id, 0) + 1
        if movement.from_class_id:
            left[movement.from_class_id] = left.get(movement.from_class_id, 0) + 1
    rows = []
    totals = [0, 0, 0, 0]
    unbalanced = []
    for school_class in classes.order_by("grade", "letter"):
        roster = rosters.get(school_class.pk, selectors.ClassRoster(school_class))
        line = [
            len(roster.on(start)),
            arrived.get(school_class.pk, 0),
            left.get(school_class.pk, 0),
            len(roster.on(end)),
        ]
        rows.append([str(school_class), *line])
        totals = [a + b for a, b in zip(totals, line, strict=True)]
        if line[0] + line[1] - line[2] != line[3]:
            unbalanced.append(f"{school_class} ({line[0]} + {line[1]} − {line[2]} ≠ {line[3]})")
    movement_rows = [
        [
            m.effective_date,
            m.student.short_name,
            m.get_kind_display(),
            str(m.from_class or ""),
            str(m.to_class or ""),
            m.from_place or m.to_place,
            f"№ {m.order.number} от {m.order.date:%d.%m.%Y}",
        ]
        for m in movements
    ]
    # Inside the school a transfer is an arrival of one class and a departure of another.
    enrolled = sum(1 for m in movements if m.kind == MovementKind.ENROLLMENT)
    gone = sum(1 for m in movements if m.kind == MovementKind.LEAVING)
    transfers = sum(1 for m in movements if m.kind == MovementKind.TRANSFER)
    return ReportResult(
        subtitle=params["period_label"],
        tables=[
            Table(
                columns=[
                    Column("Класс"),
                    Column(f"На {selectors.fmt(start)}", "int"),
                    Column("Прибыло", "int"),
                    Column("Выбыло", "int"),
                    Column(f"На {selectors.fmt(end)}", "int"),
                ],
                rows=rows,
                totals=["Итого", *totals],
                title="По классам",
            ),
            Table(
                columns=[
                    Column("Дата", "date"),
                    Column("Ученик"),
                    Column("Движение"),
                    Column("Из класса"),
                    Column("В класс"),
                    Column("Прибыл из / выбыл в"),
                    Column("Приказ"),
                ],
                rows=movement_rows,
                title="Движение по приказам",
            ),
        ],
        headline=[
            Figure(f"Обучающихся на {selectors.fmt(start)}", totals[0]),
            Figure("Зачислено в школу", enrolled),
            Figure("Переведено между классами", transfers),
            Figure("Выбыло из школы", gone),
            Figure(f"Обучающихся на {selectors.fmt(end)}", totals[3]),
        ],
        notes=[
            "Прибывшие и выбывшие — по приказам о зачислении, переводе и выбытии, "
            "вступившим в силу после первого дня периода; перевод между классами — "
            "прибытие в один класс и выбытие из другого.",
            *(
                [
                    "Не сходится с приказами (в классе есть зачисления или выбытия без "
                    "приказа — оформите их на карточке ученика): " + "; ".join(unbalanced) + "."
                ]
                if unbalanced
                else []
            ),
            *pseudonym_notes(m.student for m in movements),
        ],
    )


REPORT = Report(
    slug="movement",
    number=1,
    title="Движение обучающихся",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("date_range", "grade", "school_class"),
    build=build,
    description="Сколько учащихся было, прибыло, выбыло и стало в каждом классе; "
    "список движений с приказами.",
    signatures=("Директор",),
)
