"""First steps of a new school: year → periods → classes → subjects → curriculum → staff →
timetable, each with what is still missing and the page that fixes it.

Read-only; a constant number of queries whatever the school's size (the guide is on the
administrator's start page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from ejournal.accounts.models import Role, RoleAssignment
from ejournal.schedule.models import BellSchedule, TimetableEntry
from ejournal.school import selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import (
    AcademicYear,
    CurriculumEntry,
    GradeBand,
    School,
    SchoolClass,
    Subject,
    TeachingLoad,
)


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    done: bool
    state: str  # what is there, or what is missing, in Russian
    url: str = ""  # the page that fixes it; empty when this reader cannot open it
    action: str = ""  # the link's text


@dataclass(frozen=True)
class SetupGuide:
    year: AcademicYear | None
    steps: list[SetupStep]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def next_step(self) -> SetupStep | None:
        return next((step for step in self.steps if not step.done), None)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.steps)) if self.steps else 100


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _names(items, limit: int = 5) -> str:
    names = [str(item) for item in items]
    head = ", ".join(names[:limit])
    return head + (f" и ещё {len(names) - limit}" if len(names) > limit else "")


def setup_guide(*, school: School, day: dt.date | None = None, is_admin: bool) -> SetupGuide:
    """The seven steps of setting up ``school`` for the year on ``day`` (today by default).

    ``is_admin``: staff and roles are the administrator's page; others see no link there."""
    day = day or selectors.school_today(school)
    year = selectors.year_on(school=school, day=day)
    if year is None:
        year = AcademicYear.objects.filter(school=school, start__gt=day).order_by("start").first()
    subjects = Subject.objects.filter(school=school).count()
    teachers = RoleAssignment.objects.filter(school=school, role=Role.TEACHER, active=True).count()
    staff_url = reverse("school:staff_list") if is_admin else ""
    subject_step = SetupStep(
        "subjects",
        "Предметы",
        subjects > 0,
        f"Предметов: {subjects}." if subjects else "Предметы не добавлены.",
        reverse("school:subject_list"),
        "Предметы",
    )
    if year is None:
        missing = "Сначала создайте учебный год."
        return SetupGuide(
            None,
            [
                SetupStep(
                    "year",
                    "Учебный год",
                    False,
                    "Учебный год не создан.",
                    reverse("school:year_create"),
                    "Создать учебный год",
                ),
                SetupStep("periods", "Учебные периоды", False, missing),
                SetupStep("classes", "Классы", False, missing),
                subject_step,
                SetupStep("curriculum", "Учебный план", False, missing),
                _staff_step(teachers, loads=0, staff_url=staff_url, load_url=""),
                SetupStep("timetable", "Расписание", False, missing),
            ],
        )

    bands = list(
        GradeBand.objects.filter(year=year)
        .annotate(period_count=Count("periods"))
        .order_by("grade_from")
    )
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    planned = CurriculumEntry.objects.filter(year=year, student__isnull=True)
    planned_grades = set(planned.filter(school_class__isnull=True).values_list("grade", flat=True))
    planned_classes = set(
        planned.filter(school_class__isnull=False).values_list("school_class_id", flat=True)
    )
    loads = TeachingLoad.objects.filter(group__year=year).count()
    entries = TimetableEntry.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), group__year=year
    ).count()
    bells = BellSchedule.objects.filter(school=school).exists()

    steps = [
        SetupStep(
            "year",
            "Учебный год",
            True,
            f"{year}: {year.start:%d.%m.%Y} — {year.end:%d.%m.%Y}.",
            reverse("school:year_list"),
            "Учебные годы",
        ),
        _periods_step(year, bands, classes),
        _classes_step(year, classes),
        subject_step,
        _curriculum_step(year, classes, planned_grades, planned_classes),
        _staff_step(
            teachers,
            loads=loads,
            staff_url=staff_url,
            load_url=reverse("school:load_list", args=[year.pk]),
        ),
        _timetable_step(entries, bells),
    ]
    return SetupGuide(year, steps)


def _periods_step(year, bands, classes) -> SetupStep:
    url = reverse("school:year_calendar", args=[year.pk])
    periods = sum(band.period_count for band in bands)
    if not bands or not periods:
        return SetupStep(
            "periods",
            "Учебные периоды",
            False,
            "Четверти или триместры не заданы.",
            url,
            "Задать периоды",
        )
    uncovered = sorted(
        {c.grade for c in classes if not any(b.grade_from <= c.grade <= b.grade_to for b in bands)}
    )
    empty = [b.name for b in bands if not b.period_count]
    if uncovered or empty:
        parts = []
        if uncovered:
            parts.append("нет периодов для параллелей " + ", ".join(map(str, uncovered)))
        if empty:
            parts.append("без периодов: " + _names(empty))
        return SetupStep(
            "periods",
            "Учебные периоды",
            False,
            "; ".join(parts).capitalize() + ".",
            url,
            "Задать периоды",
        )
    return SetupStep(
        "periods",
        "Учебные периоды",
        True,
        f"Периодов: {periods} ({_names(b.name for b in bands)}).",
        url,
        "Календарь года",
    )


def _classes_step(year, classes) -> SetupStep:
    url = reverse("school:class_list", args=[year.pk])
    if not classes:
        return SetupStep("classes", "Классы", False, "Классы не созданы.", url, "Создать классы")
    without = [c for c in classes if c.homeroom_teacher_id is None]
    count = f"{len(classes)} {_plural(len(classes), 'класс', 'класса', 'классов')}"
    if without:
        return SetupStep(
            "classes",
            "Классы",
            False,
            f"{count}; без классного руководителя: {_names(without)}.",
            url,
            "Назначить классных руководителей",
        )
    return SetupStep(
        "classes", "Классы", True, f"{count}, у всех есть классный руководитель.", url, "Классы"
    )


def _curriculum_step(year, classes, planned_grades, planned_classes) -> SetupStep:
    url = reverse("school:curriculum", args=[year.pk])
    if not planned_grades and not planned_classes:
        return SetupStep(
            "curriculum", "Учебный план", False, "Учебный план не заполнен.", url, "Заполнить план"
        )
    without = [c for c in classes if c.grade not in planned_grades and c.pk not in planned_classes]
    if without:
        return SetupStep(
            "curriculum",
            "Учебный план",
            False,
            f"Нет часов в учебном плане для: {_names(without)}.",
            url,
            "Дополнить план",
        )
    return SetupStep(
        "curriculum",
        "Учебный план",
        True,
        "Учебный план заполнен для всех классов.",
        url,
        "Учебный план",
    )


def _staff_step(teachers: int, *, loads: int, staff_url: str, load_url: str) -> SetupStep:
    if not teachers:
        return SetupStep(
            "staff",
            "Сотрудники и нагрузка",
            False,
            "Нет учителей: добавьте сотрудников и выдайте им роль «учитель».",
            staff_url,
            "Сотрудники и роли",
        )
    who = f"Учителей: {teachers}."
    if not loads:
        return SetupStep(
            "staff",
            "Сотрудники и нагрузка",
            False,
            f"{who} Нагрузка (тарификация) не распределена.",
            load_url or staff_url,
            "Распределить нагрузку" if load_url else "Сотрудники и роли",
        )
    return SetupStep(
        "staff",
        "Сотрудники и нагрузка",
        True,
        f"{who} Строк нагрузки: {loads}.",
        load_url or staff_url,
        "Тарификация" if load_url else "Сотрудники и роли",
    )


def _timetable_step(entries: int, bells: bool) -> SetupStep:
    url = reverse("schedule:timetable")
    missing = []
    if not bells:
        missing.append("не заданы звонки")
    if not entries:
        missing.append("в расписании нет уроков")
    if missing:
        return SetupStep(
            "timetable",
            "Расписание",
            False,
            "; ".join(missing).capitalize() + ".",
            url,
            "Составить расписание",
        )
    return SetupStep(
        "timetable",
        "Расписание",
        True,
        f"Уроков в неделю по расписанию: {entries}.",
        url,
        "Расписание",
    )


def start_page_block(request: AuthedRequest, role: str) -> dict:
    """For the administrator and the deputy while setup is not complete: the missing steps."""
    if role not in (Role.ADMIN, Role.DEPUTY) or request.ctx.school is None:
        return {}
    guide = setup_guide(school=request.ctx.school, is_admin=Role.ADMIN in request.ctx.roles)
    if guide.complete:
        return {}
    lines = [
        (f"{step.title}: {step.state}", step.url or None) for step in guide.steps if not step.done
    ]
    lines.append(
        (
            f"Все шаги настройки (готово {guide.done_count} из {len(guide.steps)})",
            reverse("school:setup"),
        )
    )
    return {"blocks": [{"title": "Первые шаги настройки школы", "lines": lines}]}
