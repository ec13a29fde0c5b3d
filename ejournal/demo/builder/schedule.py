"""Demo timetable for «СОШ №1»: bells, a conflict-free weekly timetable built from the
teaching load, lessons from 1 September to the end of the current period, and a few
substitutions and schedule changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from ejournal.accounts.models import Role, RoleAssignment
from ejournal.schedule import services
from ejournal.schedule.models import (
    BellScheduleKind,
    Lesson,
    LessonStatus,
    TimetableEntry,
)
from ejournal.school.models import AcademicYear, GroupKind, School, StudyPeriod, TeachingLoad

REGULAR_BELLS = [
    (1, dt.time(8, 30), dt.time(9, 15)),
    (2, dt.time(9, 25), dt.time(10, 10)),
    (3, dt.time(10, 30), dt.time(11, 15)),
    (4, dt.time(11, 35), dt.time(12, 20)),
    (5, dt.time(12, 30), dt.time(13, 15)),
    (6, dt.time(13, 25), dt.time(14, 10)),
    (7, dt.time(14, 20), dt.time(15, 5)),
]
SHORTENED_BELLS = [
    (n, dt.time(8 + (30 + (n - 1) * 40) // 60, (30 + (n - 1) * 40) % 60),
     dt.time(8 + (60 + (n - 1) * 40) // 60, (60 + (n - 1) * 40) % 60))
    for n in range(1, 8)
]  # fmt: skip
MAX_LESSONS_PER_DAY = 7


def create_bells(*, school: School, actor=None) -> None:
    services.bell_schedule_save(
        school=school, actor=actor, name="Основное расписание", shift=1,
        kind=BellScheduleKind.REGULAR, is_default=True, slots=REGULAR_BELLS,
    )  # fmt: skip
    services.bell_schedule_save(
        school=school, actor=actor, name="Сокращённый день", shift=1,
        kind=BellScheduleKind.SHORTENED, is_default=False, slots=SHORTENED_BELLS,
    )  # fmt: skip


def build_timetable(*, school: School, year: AcademicYear) -> list[TimetableEntry]:  # noqa: C901 - demo builder, split when it moves to ejournal/demo
    """Place every hour of the teaching load into a weekday and lesson number so that no
    teacher, class or room is in two places at once. Subgroups of a class split for a
    subject are placed together, in parallel. Deterministic, in bulk.

    First each class's hours are spread over the week (a subject at most once a day where
    possible), then each class-day is numbered from the first lesson, rotating the order so
    that a subject does not always fall on the same lesson."""
    loads = list(
        TeachingLoad.objects.filter(group__year=year, group__school=school)
        .select_related("group", "group__school_class", "subject", "teacher")
        .order_by("group__school_class__grade", "group__school_class__letter", "subject__name")
    )
    bands = list(year.bands.all())
    # A block is what occupies one slot of a class: a whole-class lesson, or the parallel
    # lessons of the subgroups of one subject.
    blocks: dict[tuple[int, int], list[TeachingLoad]] = defaultdict(list)
    for load in loads:
        if load.group.school_class_id is not None:
            blocks[(load.group.school_class_id, load.subject_id)].append(load)
    by_class: dict[int, list[list[TeachingLoad]]] = defaultdict(list)
    for (class_id, _), block in blocks.items():
        if len({load.teacher_id for load in block}) == len(block):
            by_class[class_id].append(block)
        else:
            # One teacher for both halves: they cannot run in parallel.
            by_class[class_id].extend([load] for load in block)

    # 1. Days: spread each block's hours over the lightest days of its class.
    days_of: dict[int, int] = {}
    plan: dict[tuple[int, int], list[list[TeachingLoad]]] = defaultdict(list)
    for class_id, class_blocks in by_class.items():
        first_class = class_blocks[0][0].group.school_class
        assert first_class is not None
        grade = first_class.grade
        band = next((b for b in bands if b.covers(grade)), None)
        days = days_of[class_id] = band.days_per_week if band else 5
        class_blocks.sort(key=lambda b: (-_hours(b), b[0].subject.name))
        for block in class_blocks:
            used: dict[int, int] = defaultdict(int)
            for _ in range(_hours(block)):
                day = min(
                    range(1, days + 1),
                    key=lambda d: (used[d], len(plan[(class_id, d)]), d),  # noqa: B023
                )
                used[day] += 1
                plan[(class_id, day)].append(block)

    # 2. Numbers: fill each class-day from the first lesson with the first block whose
    # teachers are free; what does not fit goes to any free slot of the class's week.
    teacher_busy: set[tuple[int, int, int]] = set()
    class_busy: set[tuple[int, int, int]] = set()
    placed: list[tuple[list[TeachingLoad], int, int]] = []
    leftovers: list[tuple[int, list[TeachingLoad]]] = []
    class_index = {class_id: i for i, class_id in enumerate(by_class)}
    for day in range(1, 7):
        for class_id in by_class:
            pending = plan.get((class_id, day), [])
            if not pending:
                continue
            shift = (class_index[class_id] + day) % len(pending)
            pending = pending[shift:] + pending[:shift]
            number = 1
            while pending and number <= MAX_LESSONS_PER_DAY:
                fit = next(
                    (
                        b for b in pending
                        if not any((ld.teacher_id, day, number) in teacher_busy for ld in b)
                    ),
                    None,
                )  # fmt: skip
                if fit is not None:
                    pending.remove(fit)
                    _occupy(fit, class_id, day, number, teacher_busy, class_busy, placed)
                number += 1
            leftovers.extend((class_id, b) for b in pending)
    for class_id, block in leftovers:
        slot = next(
            (
                (day, number)
                for day in range(1, days_of[class_id] + 1)
                for number in range(1, MAX_LESSONS_PER_DAY + 1)
                if (class_id, day, number) not in class_busy
                and not any((ld.teacher_id, day, number) in teacher_busy for ld in block)
            ),
            None,
        )
        if slot is not None:
            _occupy(block, class_id, *slot, teacher_busy, class_busy, placed)

    teacher_rooms: dict[int, str] = {}
    entries: list[TimetableEntry] = []
    for block, weekday, number in placed:
        for i, load in enumerate(block):
            school_class = load.group.school_class
            if school_class is not None and (load.group.kind == GroupKind.WHOLE_CLASS or i == 0):
                room = school_class.room
            else:
                room = teacher_rooms.setdefault(load.teacher_id, f"4{len(teacher_rooms) + 1:02d}")
            entries.append(
                TimetableEntry(
                    school=school, weekday=weekday, number=number, group=load.group,
                    subject=load.subject, teacher=load.teacher, room=room,
                    valid_from=year.start,
                )
            )  # fmt: skip
    return TimetableEntry.objects.bulk_create(entries, batch_size=1000)


def _occupy(block, class_id, day, number, teacher_busy, class_busy, placed) -> None:
    class_busy.add((class_id, day, number))
    for load in block:
        teacher_busy.add((load.teacher_id, day, number))
    placed.append((block, day, number))


def _hours(block: list[TeachingLoad]) -> int:
    hours = max(load.hours_per_week for load in block)
    return int(Decimal(hours).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _current_period_end(year: AcademicYear, today: dt.date) -> dt.date | None:
    if today < year.start:
        return None
    ends = StudyPeriod.objects.filter(band__year=year, start__lte=today).values_list(
        "end", flat=True
    )
    return min(max(list(ends) or [today]), year.end)


def seed_schedule(school: School, year: AcademicYear, today: dt.date) -> dict:
    """Everything the schedule adds to the demo school; returns facts for the summary."""
    deputy = (
        RoleAssignment.objects.filter(school=school, role=Role.DEPUTY, active=True)
        .select_related("user")
        .first()
    )
    actor = deputy.user if deputy else None
    create_bells(school=school, actor=actor)
    entries = build_timetable(school=school, year=year)
    facts = {"timetable_entries": len(entries)}
    end = _current_period_end(year, today)
    if end is None:
        return facts
    result = services.lessons_materialise(
        school=school, start=year.start, end=end, actor=actor, today=today
    )
    facts["lessons"] = result.created
    Lesson.objects.filter(school=school, date__lt=today, status=LessonStatus.PLANNED).update(
        status=LessonStatus.HELD
    )
    facts["substitutions"] = _demo_substitutions(school, today, actor)
    facts["changes"] = _demo_changes(school, today, actor)
    return facts


def _demo_substitutions(school: School, today: dt.date, actor) -> int:
    made = 0
    reasons = ["болезнь", "курсы повышения квалификации", "командировка"]
    days = sorted(
        set(
            Lesson.objects.filter(school=school, date__lt=today)
            .order_by("-date")
            .values_list("date", flat=True)[:400]
        ),
        reverse=True,
    )
    for n, day in enumerate(days[1:6:2]):
        lessons = list(
            Lesson.objects.filter(school=school, date=day).select_related("planned_teacher")
        )
        if not lessons:
            continue
        absent = lessons[(n * 7) % len(lessons)].planned_teacher
        theirs = [lsn for lsn in lessons if lsn.planned_teacher_id == absent.id]
        busy = defaultdict(set)
        for lsn in lessons:
            busy[lsn.planned_teacher_id].add(lsn.number)
        teachers = sorted({lsn.planned_teacher for lsn in lessons}, key=lambda t: t.last_name)
        assignments = {}
        for lsn in theirs:
            substitute = next(
                (
                    t for t in teachers
                    if t.id != absent.id and lsn.number not in busy[t.id]
                ),
                None,
            )  # fmt: skip
            if substitute is not None:
                assignments[lsn.id] = substitute
                busy[substitute.id].add(lsn.number)
        try:
            made += len(
                services.substitutions_assign_day(
                    school=school, absent_teacher=absent, day=day, assignments=assignments,
                    reason=reasons[n % len(reasons)], actor=actor,
                )
            )  # fmt: skip
        except ValidationError:
            continue
    return made


def _demo_changes(school: School, today: dt.date, actor) -> int:
    future = list(
        Lesson.objects.filter(school=school, date__gt=today, status=LessonStatus.PLANNED)
        .select_related("group", "group__school_class", "subject", "planned_teacher")
        .order_by("date", "number", "id")[:60]
    )
    made = 0
    attempts = [
        lambda lsn: services.schedule_change_cancel(
            school=school, lesson=lsn, actor=actor, reason="Экскурсия класса"
        ),
        lambda lsn: services.schedule_change_room(
            school=school, lesson=lsn, actor=actor, room="Актовый зал", reason="Ремонт кабинета"
        ),
        lambda lsn: services.schedule_change_move(
            school=school, lesson=lsn, actor=actor, day=lsn.date, number=7, room=lsn.room,
            reason="Медосмотр класса",
        ),
        lambda lsn: services.schedule_change_extra(
            school=school, actor=actor, group=lsn.group, subject=lsn.subject,
            teacher=lsn.planned_teacher, day=lsn.date, number=7, room=lsn.room,
            reason="Консультация перед контрольной работой",
        ),
    ]  # fmt: skip
    for attempt, lesson in zip(attempts, future[::13], strict=False):
        try:
            attempt(lesson)
            made += 1
        except ValidationError:
            continue
    return made


def create_schedule(build) -> None:
    """``seed_demo`` step: bells, timetable, lessons, substitutions and changes."""
    assert build.school is not None and build.year is not None
    build.facts["schedule"] = seed_schedule(build.school, build.year, build.today)
