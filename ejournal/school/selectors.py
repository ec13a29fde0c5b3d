"""Reads of school structure. Each function runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from ejournal.accounts.models import Student, shown_name_ordering
from ejournal.core import rawsql
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    CurriculumEntry,
    GroupKind,
    GroupMembership,
    School,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    TeachingLoad,
)


def school_today(school: School) -> dt.date:
    """Today in the school's own time zone."""
    import zoneinfo

    from django.utils import timezone

    return timezone.now().astimezone(zoneinfo.ZoneInfo(school.time_zone)).date()


def year_on(*, school: School, day: dt.date) -> AcademicYear | None:
    """The academic year containing ``day``, else the nearest one that starts after it,
    else the latest one (summer holidays belong to the coming year)."""
    years = list(AcademicYear.objects.filter(school=school).order_by("start"))
    for year in years:
        if year.start <= day <= year.end:
            return year
    upcoming = [y for y in years if y.start > day]
    if upcoming:
        return upcoming[0]
    return years[-1] if years else None


def day_in_year(*, year: AcademicYear, today: dt.date) -> dt.date:
    """``today`` clamped into the year: what a year's pages show "as of"."""
    return min(max(today, year.start), year.end)


def active_on(day: dt.date, prefix: str = "") -> Q:
    """Rows with ``date_from``/``date_to`` (inclusive, open end) that cover ``day``."""
    return Q(**{f"{prefix}date_from__lte": day}) & (
        Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": day})
    )


def overlapping(start: dt.date, end: dt.date | None, prefix: str = "") -> Q:
    """Dated rows that share at least one day with [start, end]."""
    q = Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}date_from__lte": end})
    return q


def students_of_class_on(*, school_class: SchoolClass, day: dt.date) -> QuerySet[Student]:
    """Who was in the class on ``day`` — the answer the journal and reports rely on."""
    return Student.objects.filter(
        active_on(day, "enrollments__"), enrollments__school_class=school_class
    ).order_by(*shown_name_ordering())


def students_enrolled_on(*, student_ids: Iterable[int], day: dt.date) -> set[int]:
    """Those of ``student_ids`` who are in some class of their school on ``day``: nobody
    else takes a journal entry (mark, attendance, period mark) on that day, whatever
    group they may still be listed in. One query."""
    return set(
        ClassEnrollment.objects.filter(active_on(day), student_id__in=list(student_ids))
        .values_list("student_id", flat=True)
        .distinct()
    )


def class_of_student_on(*, student: Student, day: dt.date) -> SchoolClass | None:
    enrollment = (
        ClassEnrollment.objects.filter(active_on(day), student=student)
        .select_related("school_class")
        .first()
    )
    return enrollment.school_class if enrollment else None


@dataclass(frozen=True)
class MemberSpan:
    student_id: int
    date_from: dt.date
    date_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.date_from <= day and (self.date_to is None or day <= self.date_to)


def group_member_spans(
    *, group: StudyGroup, start: dt.date, end: dt.date
) -> dict[int, list[MemberSpan]]:
    """Membership intervals of a group within [start, end], by student (one query).

    A whole-class group's members are the class's enrolled students; other groups keep
    their own dated memberships.
    """
    spans: dict[int, list[MemberSpan]] = defaultdict(list)
    rows: Iterable[tuple[int, dt.date, dt.date | None]]
    if group.kind == GroupKind.WHOLE_CLASS:
        rows = ClassEnrollment.objects.filter(
            overlapping(start, end), school_class_id=group.school_class_id
        ).values_list("student_id", "date_from", "date_to")
    else:
        rows = GroupMembership.objects.filter(overlapping(start, end), group=group).values_list(
            "student_id", "date_from", "date_to"
        )
    for student_id, date_from, date_to in rows:
        spans[student_id].append(MemberSpan(student_id, date_from, date_to))
    return dict(spans)


def students_of_group_on(*, group: StudyGroup, day: dt.date) -> QuerySet[Student]:
    if group.kind == GroupKind.WHOLE_CLASS:
        assert group.school_class is not None
        return students_of_class_on(school_class=group.school_class, day=day)
    return Student.objects.filter(
        active_on(day, "group_memberships__"), group_memberships__group=group
    ).order_by(*shown_name_ordering())


PERIOD_COLUMNS = tuple(f.attname for f in StudyPeriod._meta.concrete_fields)
PERIODS_SQL = f"""
SELECT {rawsql.columns("p", PERIOD_COLUMNS)}
FROM school_studyperiod p JOIN school_gradeband b ON b.id = p.band_id
WHERE b.year_id = %s AND b.grade_from <= %s AND b.grade_to >= %s
ORDER BY p.start, p.id
"""  # noqa: S608 - the models' column names only


def periods_for_grade(*, year: AcademicYear | int, grade: int) -> list[StudyPeriod]:
    """The study periods of a grade in a year (every journal page asks: by hand)."""
    year_id = year if isinstance(year, int) else year.pk
    return [
        rawsql.instance(StudyPeriod, PERIOD_COLUMNS, row)
        for row in rawsql.fetch(PERIODS_SQL, [year_id, grade, grade])
    ]


def classes_with_sizes(*, year: AcademicYear, day: dt.date) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(year=year)
        .select_related("homeroom_teacher")
        .annotate(
            size=Count(
                "enrollments",
                filter=active_on(day, "enrollments__"),
                distinct=True,
            )
        )
        .order_by("grade", "letter")
    )


# --- Structure problems ---------------------------------------------------


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    url: str = ""


def curriculum_hours(*, year: AcademicYear) -> dict[tuple[int, int], Decimal]:
    """Weekly hours per (class id, subject id): the class override, else the grade's line."""
    entries = list(CurriculumEntry.objects.filter(year=year, student__isnull=True))
    by_grade = {(e.grade, e.subject_id): e.hours_per_week for e in entries if not e.school_class_id}
    by_class = {
        (e.school_class_id, e.subject_id): e.hours_per_week for e in entries if e.school_class_id
    }
    result: dict[tuple[int, int], Decimal] = {}
    for cls_id, grade in SchoolClass.objects.filter(year=year).values_list("id", "grade"):
        for (g, subject_id), hours in by_grade.items():
            if g == grade:
                result[(cls_id, subject_id)] = hours
    result.update(by_class)
    return result


def structure_problems(*, year: AcademicYear, day: dt.date | None = None) -> list[Problem]:
    """What is missing or inconsistent in a year's structure, in Russian, for the admin
    and deputy. A constant number of queries whatever the school's size."""
    day = day or day_in_year(year=year, today=school_today(year.school))
    problems: list[Problem] = []
    classes = list(SchoolClass.objects.filter(year=year).select_related("homeroom_teacher"))
    class_by_id = {c.id: c for c in classes}

    if not year.bands.exists():
        problems.append(Problem("periods", f"В учебном году {year} не заданы учебные периоды."))
    for c in classes:
        if c.homeroom_teacher_id is None:
            problems.append(Problem("homeroom", f"У класса {c} не назначен классный руководитель."))

    # Students of a subgroup must be in the subgroup's class on every day of membership.
    memberships = (
        GroupMembership.objects.filter(group__year=year, group__kind=GroupKind.SUBGROUP)
        .select_related("group", "student")
        .order_by("group__name")
    )
    enrollments: dict[int, list[ClassEnrollment]] = defaultdict(list)
    for e in ClassEnrollment.objects.filter(school_class__year=year):
        enrollments[e.student_id].append(e)
    for m in memberships:
        if not _span_within(m, enrollments.get(m.student_id, []), m.group.school_class_id):
            problems.append(
                Problem(
                    "group_member",
                    f"Ученик {m.student.short_name} в группе «{m.group}» не учится в классе "
                    f"{class_by_id.get(m.group.school_class_id or 0, '?')} на все даты членства.",
                )
            )

    # Curriculum hours against the teaching load, per class and subject.
    planned = curriculum_hours(year=year)
    loaded: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    loads = TeachingLoad.objects.filter(group__year=year).select_related("group", "subject")
    subject_names = {}
    for load in loads:
        subject_names[load.subject_id] = load.subject.name
        if load.group.school_class_id is None:
            continue
        # Subgroups of a class are taught in parallel: each must carry the full hours.
        loaded[(load.group.school_class_id, load.subject_id)][load.group_id] += load.hours_per_week
    subject_names.update(
        dict(CurriculumEntry.objects.filter(year=year).values_list("subject_id", "subject__name"))
    )
    for key in sorted(set(planned) | set(loaded), key=lambda k: (str(class_by_id.get(k[0])), k[1])):
        plan = planned.get(key, Decimal(0))
        per_group = loaded.get(key, {})
        cls = class_by_id.get(key[0])
        name = subject_names.get(key[1], "?")
        if not per_group and plan:
            problems.append(
                Problem(
                    "load",
                    f"{cls}, {name}: по учебному плану {fmt_hours(plan)} ч, "
                    "нагрузка не распределена.",
                )
            )
            continue
        for hours in set(per_group.values()):
            if hours != plan:
                problems.append(
                    Problem(
                        "load",
                        f"{cls}, {name}: по учебному плану {fmt_hours(plan)} ч в неделю, "
                        f"по тарификации {fmt_hours(hours)} ч.",
                    )
                )
    return problems


def fmt_hours(hours: Decimal) -> str:
    """4.0 → «4», 0.5 → «0,5»: hours as a Russian reader writes them."""
    return f"{hours.normalize():f}".replace(".", ",")


def _span_within(membership, enrollments: list[ClassEnrollment], class_id: int | None) -> bool:
    """True when the class enrollments cover every day of the membership."""
    cursor = membership.date_from
    end = membership.date_to
    for e in sorted(
        (e for e in enrollments if e.school_class_id == class_id), key=lambda e: e.date_from
    ):
        if e.date_from > cursor:
            return False
        if e.date_to is None:
            return True
        if e.date_to >= cursor:
            cursor = e.date_to + dt.timedelta(days=1)
        if end is not None and cursor > end:
            return True
    return False


# --- Structure pages ---------------------------------------------------------


def years_of_school(*, school: School) -> QuerySet[AcademicYear]:
    return AcademicYear.objects.filter(school=school).order_by("-start")


def year_calendar(*, year: AcademicYear) -> dict:
    """Bands with their periods and the days off of a year (two queries)."""
    from django.db.models import Prefetch

    from ejournal.school.models import DayOff, GradeBand

    bands = GradeBand.objects.filter(year=year).prefetch_related(
        Prefetch("periods", queryset=StudyPeriod.objects.order_by("start"))
    )
    return {
        "bands": list(bands),
        "days_off": list(DayOff.objects.filter(year=year).order_by("start", "grade_from")),
    }


def subjects_of_school(*, school: School):
    from ejournal.school.models import Subject

    return Subject.objects.filter(school=school).order_by("name")


def curriculum_of_year(*, year: AcademicYear) -> QuerySet[CurriculumEntry]:
    return (
        CurriculumEntry.objects.filter(year=year)
        .select_related("subject", "school_class", "student")
        .order_by("grade", "subject__name", "school_class__letter", *shown_name_ordering("student"))
    )


def groups_of_year(*, year: AcademicYear, day: dt.date) -> QuerySet[StudyGroup]:
    """Groups with the number of members on ``day`` (whole-class groups count the class)."""
    return (
        StudyGroup.objects.filter(year=year)
        .select_related("school_class")
        .annotate(
            own_members=Count("memberships", filter=active_on(day, "memberships__"), distinct=True),
            class_members=Count(
                "school_class__enrollments",
                filter=active_on(day, "school_class__enrollments__"),
                distinct=True,
            ),
        )
        .order_by("school_class__grade", "school_class__letter", "name")
    )


def memberships_of_group(*, group: StudyGroup) -> QuerySet[GroupMembership]:
    return (
        GroupMembership.objects.filter(group=group)
        .select_related("student")
        .order_by(*shown_name_ordering("student"), "date_from")
    )


def loads_of_year(*, year: AcademicYear) -> QuerySet[TeachingLoad]:
    return (
        TeachingLoad.objects.filter(group__year=year)
        .select_related("group", "group__school_class", "subject", "teacher")
        .order_by("teacher__last_name", "teacher__first_name", "group__name", "subject__name")
    )
