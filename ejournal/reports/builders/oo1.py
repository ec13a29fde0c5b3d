"""17. Сведения для формы ОО-1: students by grade, sex, age and shift, classes, staff by
position — the figures the school can take from its own data. Aggregates only, so the
municipal inspector may open it for one school or the whole municipality."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count

from ejournal.accounts.models import Role, Sex, StaffMember
from ejournal.reports import selectors
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table
from ejournal.school.models import ClassEnrollment
from ejournal.school.selectors import active_on


def build(*, scope, params) -> ReportResult:
    day = params["date"]
    school = params.get("school")
    schools = scope.schools.filter(pk=school.pk) if school else scope.schools
    classes = scope.classes.filter(school__in=schools, year__in=params["years"])
    age_day = dt.date(min(y.start for y in params["years"]).year + 1, 1, 1)
    rows = ClassEnrollment.objects.filter(active_on(day), school_class__in=classes).values_list(
        "school_class_id",
        "school_class__grade",
        "school_class__shift",
        "student__sex",
        "student__birth_date",
    )
    by_grade: dict[int, Counter] = defaultdict(Counter)
    by_age: dict[int, Counter] = defaultdict(Counter)
    by_shift: dict[int, Counter] = defaultdict(Counter)
    for _class_id, grade, shift, sex, birth in rows:
        for bucket in (by_grade[grade], by_age[selectors.age_on(birth, age_day)], by_shift[shift]):
            bucket["all"] += 1
            bucket["boys" if sex == Sex.MALE else "girls"] += 1
    class_counts: Counter[int] = Counter()
    shift_classes: Counter[int] = Counter()
    for grade, shift in classes.values_list("grade", "shift"):
        class_counts[grade] += 1
        shift_classes[shift] += 1

    def line(counter: Counter) -> list[int]:
        return [counter["all"], counter["boys"], counter["girls"]]

    grade_rows: list[list] = []
    total: Counter[str] = Counter()
    for grade in sorted(set(by_grade) | set(class_counts)):
        grade_rows.append([f"{grade} класс", class_counts[grade], *line(by_grade[grade])])
        total.update(by_grade[grade])
    age_rows = [[age, *line(by_age[age])] for age in sorted(by_age)]
    shift_rows = [
        [f"{shift} смена", shift_classes[shift], by_shift[shift]["all"]]
        for shift in sorted(set(by_shift) | set(shift_classes))
    ]
    staff = (
        StaffMember.objects.filter(school__in=schools, is_active=True)
        .values("position")
        .annotate(n=Count("id"))
        .order_by("position")
    )
    staff_rows = [[row["position"] or "должность не указана", row["n"]] for row in staff]
    teachers = (
        StaffMember.objects.filter(
            school__in=schools,
            is_active=True,
            user__role_assignments__role=Role.TEACHER,
            user__role_assignments__active=True,
            user__role_assignments__school__in=schools,
        )
        .distinct()
        .count()
    )
    staff_total = sum(row[1] for row in staff_rows)
    students = ["Обучающихся", "Мальчиков", "Девочек"]
    where = school.short_name if school else (str(scope.school or scope.municipality or ""))
    return ReportResult(
        subtitle=f"{where}, на {selectors.fmt(day)}",
        tables=[
            Table(
                title="Обучающиеся по классам (параллелям)",
                columns=[Column("Параллель"), Column("Классов", "int")]
                + [Column(t, "int") for t in students],
                rows=grade_rows,
                totals=["Всего", sum(class_counts.values()), *line(total)],
            ),
            Table(
                title=f"Обучающиеся по возрасту (полных лет на {selectors.fmt(age_day)})",
                columns=[Column("Возраст", "int")] + [Column(t, "int") for t in students],
                rows=age_rows,
                totals=["Всего", *line(total)],
            ),
            Table(
                title="Классы и обучающиеся по сменам",
                columns=[Column("Смена"), Column("Классов", "int"), Column("Обучающихся", "int")],
                rows=shift_rows,
            ),
            Table(
                title="Работники по должностям",
                columns=[Column("Должность"), Column("Человек", "int")],
                rows=staff_rows,
                totals=["Всего", staff_total],
            ),
        ],
        headline=[
            Figure("Классов", sum(class_counts.values())),
            Figure("Обучающихся", total["all"]),
            Figure("из них девочек", total["girls"]),
            Figure("Работников", staff_total),
            Figure("из них с ролью учителя", teachers),
        ],
        notes=[
            "Обучающиеся — зачисленные в классы на выбранную дату; возраст — число полных "
            "лет на 1 января следующего года, как в форме ОО-1; работники — действующие "
            "сотрудники с указанной в карточке должностью.",
        ],
    )


REPORT = Report(
    slug="oo1",
    number=17,
    title="Сведения для формы ОО-1",
    roles=SCHOOL_WIDE | {Role.INSPECTOR},
    filters=("school", "date"),
    build=build,
    description="Обучающиеся по параллелям, полу, возрасту и сменам; классы; работники по "
    "должностям.",
    signatures=("Директор",),
)
