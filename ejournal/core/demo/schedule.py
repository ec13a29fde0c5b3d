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


def build_timetable(*, school: School, year: AcademicYear) -> list[TimetableEntry]:
    """Place every hour of the teaching load into a weekday and lesson number so that no
    teacher, class or room is in two places at once. Subgroups of a class split for a
    subject are placed together, in parallel. Greedy, deterministic, in bulk."""
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
        if load.group.school_class_id is None:
            continue
        blocks[(load.group.school_class_id, load.subject_id)].append(load)
    teacher_rooms: dict[int, str] = {}
    class_busy: set[tuple[int, int, int]] = set()
    teacher_busy: set[tuple[int, int, int]] = set()
    day_count: dict[tuple[int, int], int] = defaultdict(int)
    entries: list[TimetableEntry] = []
    by_class: dict[int, list[list[TeachingLoad]]] = defaultdict(list)
    for (class_id, _), block in blocks.items():
        if len({load.teacher_id for load in block}) == len(block):
            by_class[class_id].append(block)
        else:
            # One teacher for both halves: they cannot run in parallel.
            by_class[class_id].extend([load] for load in block)
    for class_id, class_blocks in by_class.items():
        school_class = class_blocks[0][0].group.school_class
        band = next((b for b in bands if b.covers(school_class.grade)), None)
        days = band.days_per_week if band else 5
        class_blocks.sort(key=lambda b: (-_hours(b), b[0].subject.name))
        for block in class_blocks:
            used_days: dict[int, int] = defaultdict(int)
            for _ in range(_hours(block)):
                slot = _free_slot(
                    class_id, block, days, used_days, day_count, class_busy, teacher_busy
                )
                if slot is None:
                    continue
                weekday, number = slot
                used_days[weekday] += 1
                day_count[(class_id, weekday)] += 1
                class_busy.add((class_id, weekday, number))
                for i, load in enumerate(block):
                    teacher_busy.add((load.teacher_id, weekday, number))
                    if load.group.kind == GroupKind.WHOLE_CLASS or i == 0:
                        room = school_class.room
                    else:
                        room = teacher_rooms.setdefault(
                            load.teacher_id, f"4{len(teacher_rooms) + 1:02d}"
                        )
                    entries.append(
                        TimetableEntry(
                            school=school, weekday=weekday, number=number, group=load.group,
                            subject=load.subject, teacher=load.teacher, room=room,
                            valid_from=year.start,
                        )
                    )  # fmt: skip
    return TimetableEntry.objects.bulk_create(entries, batch_size=1000)


def _hours(block: list[TeachingLoad]) -> int:
    hours = max(load.hours_per_week for load in block)
    return int(Decimal(hours).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _free_slot(class_id, block, days, used_days, day_count, class_busy, teacher_busy):
    """The lightest day where the subject is not yet taught (else the lightest day), and
    the first number free for the class and all teachers of the block."""
    order = sorted(range(1, days + 1), key=lambda d: (used_days[d], day_count[(class_id, d)], d))
    for weekday in order:
        if day_count[(class_id, weekday)] >= MAX_LESSONS_PER_DAY:
            continue
        for number in range(1, MAX_LESSONS_PER_DAY + 1):
            if (class_id, weekday, number) in class_busy:
                continue
            if any((load.teacher_id, weekday, number) in teacher_busy for load in block):
                continue
            return weekday, number
    return None


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
