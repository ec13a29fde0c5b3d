"""The school itself: where it is, its academic year with periods and holidays, its
classes and study groups."""

from __future__ import annotations

import datetime as dt

from ejournal.demo.builder.context import SCHOOL_SHORT_NAME, DemoBuild
from ejournal.school.models import (
    AcademicYear,
    DayOff,
    DayOffKind,
    GradeBand,
    GroupKind,
    Municipality,
    PeriodKind,
    Region,
    School,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
)

SCHOOL_NAME = "МБОУ «Средняя общеобразовательная школа №1»"
REGION = ("Ярославская область", "76")
MUNICIPALITY = "Городской округ город Ярославль"

# Subjects taught in two subgroups (деление класса на группы), and from which grade.
SPLIT_SUBJECTS = {"Иностранный язык (английский)": "англ. яз.", "Информатика": "информатика"}


def start_year_of(today: dt.date) -> int:
    """The academic year containing ``today``; in summer, the coming one."""
    return today.year if today.month >= 6 else today.year - 1


def create_school(build: DemoBuild) -> None:
    region, _ = Region.objects.get_or_create(name=REGION[0], defaults={"code": REGION[1]})
    municipality, _ = Municipality.objects.get_or_create(region=region, name=MUNICIPALITY)
    n = build.options.school_number
    build.school = School.objects.create(
        municipality=municipality,
        name=SCHOOL_NAME if n == 1 else SCHOOL_NAME.replace("№1", f"№{n}"),
        short_name=SCHOOL_SHORT_NAME if n == 1 else f"СОШ №{n}",
        address=f"150000, г. Ярославль, ул. Школьная, д. {n}",
        phone=f"+7 (4852) 00-00-{n:02d}",
        email=f"school{n}@sosh{n}.example",
        website=f"https://sosh{n}.example",
        time_zone="Europe/Moscow",
    )
    y = start_year_of(build.today)
    build.year = AcademicYear.objects.create(
        school=build.school, name=f"{y}/{y + 1}", start=dt.date(y, 9, 1), end=dt.date(y + 1, 5, 31)
    )


def _saturday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 5) % 7)


def _sunday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(6 - day.weekday()) % 7)


def year_calendar(start_year: int) -> dict[str, dt.date]:
    """Key dates of a typical Russian school year: quarters divided by autumn, winter and
    spring holidays of about a week (a nine-day break from Saturday to the Sunday after),
    plus the additional February week for first graders."""
    y = start_year
    first_day = dt.date(y, 9, 1)
    if first_day.weekday() == 6:  # 1 September on a Sunday: lessons begin on Monday
        first_day += dt.timedelta(days=1)
    autumn = _saturday_on_or_before(dt.date(y, 10, 26))
    winter = dt.date(y, 12, 29)
    winter_end = _sunday_on_or_after(dt.date(y + 1, 1, 8))
    spring = _saturday_on_or_before(dt.date(y + 1, 3, 22))
    february = _saturday_on_or_before(dt.date(y + 1, 2, 14))
    return {
        "q1_start": first_day,
        "q1_end": autumn - dt.timedelta(days=1),
        "autumn_start": autumn,
        "autumn_end": autumn + dt.timedelta(days=8),
        "q2_start": autumn + dt.timedelta(days=9),
        "q2_end": winter - dt.timedelta(days=1),
        "winter_start": winter,
        "winter_end": winter_end,
        "q3_start": winter_end + dt.timedelta(days=1),
        "q3_end": spring - dt.timedelta(days=1),
        "spring_start": spring,
        "spring_end": spring + dt.timedelta(days=8),
        "q4_start": spring + dt.timedelta(days=9),
        "q4_end": dt.date(y + 1, 5, 31),
        "february_start": february,
        "february_end": february + dt.timedelta(days=8),
    }


def public_holidays(start_year: int) -> list[tuple[str, dt.date]]:
    """State holidays that fall into term time; one on a weekend moves to the Monday after
    (Labour Code art. 112). New Year's days are inside the winter holidays."""
    y = start_year
    days = [
        ("День народного единства", dt.date(y, 11, 4)),
        ("День защитника Отечества", dt.date(y + 1, 2, 23)),
        ("Международный женский день", dt.date(y + 1, 3, 8)),
        ("Праздник Весны и Труда", dt.date(y + 1, 5, 1)),
        ("День Победы", dt.date(y + 1, 5, 9)),
    ]
    result = []
    for name, day in days:
        result.append((name, day))
        if day.weekday() >= 5:
            monday = day + dt.timedelta(days=7 - day.weekday())
            result.append((f"{name} (перенос выходного)", monday))
    return result


def create_calendar(build: DemoBuild) -> None:
    year = build.year
    assert year is not None
    d = year_calendar(year.start.year)
    build.dates = d
    quarters = [(d[f"q{n}_start"], d[f"q{n}_end"]) for n in range(1, 5)]
    halves = [(d["q1_start"], d["q2_end"]), (d["q3_start"], d["q4_end"])]
    bands = [
        ("Начальное общее образование", 1, 4, PeriodKind.QUARTER, 5, quarters, "четверть"),
        ("Основное общее образование", 5, 9, PeriodKind.QUARTER, 5, quarters, "четверть"),
        ("Среднее общее образование", 10, 11, PeriodKind.HALF_YEAR, 5, halves, "полугодие"),
    ]
    for name, g_from, g_to, kind, days, spans, word in bands:
        band = GradeBand.objects.create(
            year=year,
            name=name,
            grade_from=g_from,
            grade_to=g_to,
            period_kind=kind,
            days_per_week=days,
        )
        StudyPeriod.objects.bulk_create(
            StudyPeriod(band=band, number=n, name=f"{n} {word}", start=start, end=end)
            for n, (start, end) in enumerate(spans, start=1)
        )
    holidays = [
        ("Осенние каникулы", d["autumn_start"], d["autumn_end"], 1, 11),
        ("Зимние каникулы", d["winter_start"], d["winter_end"], 1, 11),
        ("Дополнительные каникулы для первоклассников", d["february_start"],
         d["february_end"], 1, 1),
        ("Весенние каникулы", d["spring_start"], d["spring_end"], 1, 11),
    ]  # fmt: skip
    days_off = [
        DayOff(
            year=year,
            kind=DayOffKind.HOLIDAY,
            name=name,
            start=start,
            end=end,
            grade_from=g_from,
            grade_to=g_to,
        )
        for name, start, end, g_from, g_to in holidays
    ]
    days_off += [
        DayOff(year=year, kind=DayOffKind.NON_WORKING, name=name, start=day, end=day)
        for name, day in public_holidays(year.start.year)
        if year.start <= day <= year.end
    ]
    DayOff.objects.bulk_create(days_off)


def create_classes(build: DemoBuild) -> None:
    assert build.school is not None and build.year is not None
    rows = []
    for grade in range(1, 12):
        for i, letter in enumerate(build.letters):
            floor = 1 if grade <= 4 else 2 if grade <= 8 else 3
            room = f"{floor}{(grade - 1) % 4 * len(build.letters) + i + 1:02d}"
            rows.append(
                SchoolClass(
                    school=build.school, year=build.year, grade=grade, letter=letter, room=room
                )
            )
    build.classes = SchoolClass.objects.bulk_create(rows)


def create_groups(build: DemoBuild) -> None:
    """A whole-class group for every class, and two subgroups per class for each subject
    that is taught split (foreign language from grade 2, informatics from grade 7)."""
    assert build.school is not None and build.year is not None
    whole = [
        StudyGroup(
            school=build.school,
            year=build.year,
            name=str(c),
            kind=GroupKind.WHOLE_CLASS,
            school_class=c,
        )
        for c in build.classes
    ]
    for c, group in zip(build.classes, StudyGroup.objects.bulk_create(whole), strict=True):
        build.whole_groups[c.pk] = group
    split: list[tuple[int, str, StudyGroup]] = []
    for c in build.classes:
        for subject, label in SPLIT_SUBJECTS.items():
            if not build.curriculum.get(c.grade, {}).get(subject):
                continue
            for n in (1, 2):
                group = StudyGroup(
                    school=build.school,
                    year=build.year,
                    name=f"{c} {label}, {n} гр.",
                    kind=GroupKind.SUBGROUP,
                    school_class=c,
                )
                split.append((c.pk, subject, group))
    StudyGroup.objects.bulk_create([g for _, _, g in split])
    for class_id, subject, group in split:
        build.subgroups.setdefault((class_id, subject), []).append(group)
