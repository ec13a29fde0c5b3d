"""Writes to the class journal.

Every write checks who writes (only the lesson's actual teacher), the school's windows
(``rules``), that the student belongs to the group on the lesson's date, and the
version the teacher last saw (two people editing one cell never overwrite each other
silently). It runs in one transaction with its audit event; the apps above (the families'
notifications, tamper checks) hear of it on commit through ``core.registry``. Outside a
window the teacher files a correction request, which the deputy approves (applied here,
audited with the request) or rejects.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, overload

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ejournal.accounts.models import Student
from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.journal import rules
from ejournal.journal.corrections import correction_reason
from ejournal.journal.models import (
    NUMERIC_MARKS,
    Attendance,
    AttendanceCode,
    CorrectionKind,
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    HomeworkAttachment,
    JournalSettings,
    LessonRecord,
    Mark,
    MarkValue,
    Work,
    WorkCategory,
    WorkType,
)
from ejournal.journal.permissions import can_set_absence_reason
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.schedule.permissions import keeps_journal_of, lesson_closed_refusal
from ejournal.school import selectors as school_selectors
from ejournal.school.models import SchoolClass

# --- Errors ------------------------------------------------------------------


class JournalRefusal(ValidationError):
    """A rule forbids the write; ``correctable`` says a correction request is the way."""

    def __init__(self, refusal: rules.Refusal):
        super().__init__(refusal.message)
        self.correctable = refusal.correctable


class JournalConflict(Exception):
    """Someone else changed the record since the teacher loaded it."""

    def __init__(self, current: dict[str, Any] | None):
        self.current = current
        value = (current or {}).get("display") or "пусто"
        super().__init__(
            f"Запись уже изменена другим пользователем (сейчас: {value}). "
            "Проверьте текущее значение и повторите."
        )


# ``expected_version`` for a write that must not check versions (approved corrections).
ANY_VERSION = -1

# --- Parsing what the teacher types ------------------------------------------------

_MARK_ALIASES = {
    **{str(n): str(n) for n in range(1, 6)},
    "н/а": MarkValue.NOT_ATTESTED,
    "на": MarkValue.NOT_ATTESTED,
    "na": MarkValue.NOT_ATTESTED,
    "осв": MarkValue.EXEMPT,
    "osv": MarkValue.EXEMPT,
    "зач": MarkValue.PASS,
    "zach": MarkValue.PASS,
    "незач": MarkValue.FAIL,
    "nezach": MarkValue.FAIL,
    "•": MarkValue.DEBT,
    ".": MarkValue.DEBT,
    "т": MarkValue.DEBT,
    "точка": MarkValue.DEBT,
    "dot": MarkValue.DEBT,
}
MARK_INPUT_HELP = "1–5, н/а, осв, зач, незач или точка «.» (долг)"


def parse_mark(text: str | None) -> str | None:
    """What the teacher typed → a ``MarkValue`` (None clears the cell)."""
    cleaned = (text or "").strip().lower().replace(" ", "")
    if not cleaned:
        return None
    value = _MARK_ALIASES.get(cleaned)
    if value is None:
        raise ValidationError(f"Недопустимая отметка «{text}». Допустимо: {MARK_INPUT_HELP}.")
    return str(value)


_ATTENDANCE_RE = re.compile(r"^(н|нб|б|уп|оп|n|b|up|op)(\d{1,3})?$")
_ATTENDANCE_CODES = {
    "н": AttendanceCode.ABSENT,
    "нб": AttendanceCode.ABSENT,
    "n": AttendanceCode.ABSENT,
    "б": AttendanceCode.ILL,
    "b": AttendanceCode.ILL,
    "уп": AttendanceCode.EXCUSED,
    "up": AttendanceCode.EXCUSED,
    "оп": AttendanceCode.LATE,
    "op": AttendanceCode.LATE,
}
ATTENDANCE_INPUT_HELP = "Н, Б, УП или ОП с минутами опоздания (например, «оп10»)"


def parse_attendance(text: str | None) -> tuple[str | None, int | None]:
    """«н», «б», «уп», «оп10» → (code, late minutes); empty means present."""
    cleaned = (text or "").strip().lower().replace(" ", "")
    if not cleaned:
        return None, None
    match = _ATTENDANCE_RE.match(cleaned)
    if not match:
        raise ValidationError(
            f"Непонятная отметка посещаемости «{text}». Допустимо: {ATTENDANCE_INPUT_HELP}."
        )
    code = str(_ATTENDANCE_CODES[match.group(1)])
    minutes = int(match.group(2)) if match.group(2) else None
    if code == AttendanceCode.LATE:
        if not minutes:
            raise ValidationError("Для опоздания укажите минуты, например «оп10».")
        if minutes > 90:
            raise ValidationError("Опоздание больше 90 минут отмечается как отсутствие (Н).")
    elif minutes is not None:
        raise ValidationError("Минуты указываются только для опоздания (ОП).")
    return code, minutes


# --- Shared checks ---------------------------------------------------------------


def lesson_grade(lesson: Lesson) -> int:
    """The grade whose rules apply: the class's, or for a cross-class stream the lowest
    grade among its members on the lesson date (the strictest window)."""
    group = lesson.group
    if group.school_class_id:
        return group.school_class.grade  # type: ignore[union-attr]
    grades = SchoolClass.objects.filter(
        school_selectors.active_on(lesson.date, "enrollments__"),
        enrollments__student__group_memberships__group=group,
    ).values_list("grade", flat=True)
    return min(grades, default=5)


def _ensure_writer(staff, lesson: Lesson, batch: SaveBatch | None = None) -> None:
    """The one rule (ejournal.schedule.permissions), enforced here too: a caller that
    skipped the page's or the API's check still cannot write."""
    who = _memo(
        lesson,
        f"writer:{getattr(staff, 'pk', None)}",
        lambda: keeps_journal_of(staff, lesson),
        batch,
    )
    if not who:
        raise ValidationError(
            "Вносить записи по этому уроку может только учитель, который его ведёт "
            "(или назначенный на замену)."
        )
    closed = lesson_closed_refusal(lesson)
    if closed:
        raise JournalRefusal(rules.Refusal(closed))


@dataclass
class SaveBatch:
    """One all-or-nothing save of many cells (``journal_cells_save``), handed to each
    cell's write as ``batch=``. The facts every cell of a lesson needs — window settings,
    closed periods, members on the lesson date — are read once per lesson; the marks of
    the batch are read and locked in one query; its audit events are written together;
    the apps above hear of all its changes in one call per kind, after commit."""

    audit: audit.AuditBatch
    facts: dict[tuple[int, str], Any] = field(default_factory=dict)
    # The marks of the mark cells by (work, student), None where there is no mark yet.
    marks: dict[tuple[int, int], Mark | None] = field(default_factory=dict)
    changes: dict[registry.ExtensionPoint[Any], list[Any]] = field(default_factory=dict)


def _memo_forget(lesson: Lesson, key: str, batch: SaveBatch | None) -> None:
    if batch is not None:
        batch.facts.pop((lesson.pk, key), None)


def _lock_batch_marks(batch: SaveBatch, changes) -> None:
    wanted: dict[int, set[int]] = defaultdict(set)
    for change in changes:
        if change.kind == "mark" and change.work is not None:
            wanted[change.work.pk].add(change.student.pk)
    if not wanted:
        return
    where = Q()
    for work_id, student_ids in wanted.items():
        where |= Q(work_id=work_id, student_id__in=student_ids)
    locked: dict[tuple[int, int], Mark | None] = {
        (work_id, student_id): None
        for work_id, student_ids in wanted.items()
        for student_id in student_ids
    }
    for mark in Mark.objects.select_for_update().filter(where).order_by("pk"):
        locked[(mark.work_id, mark.student_id)] = mark
    batch.marks = locked


def _memo(lesson: Lesson, key: str, compute, batch: SaveBatch | None):
    if batch is None:
        return compute()
    if (lesson.pk, key) not in batch.facts:
        batch.facts[(lesson.pk, key)] = compute()
    return batch.facts[(lesson.pk, key)]


def _tell(point: registry.ExtensionPoint[Any], change: Any, batch: SaveBatch | None) -> None:
    """The apps above hear of the change after commit (a rolled-back write tells nobody);
    a batch tells them of all its changes at once."""
    if batch is not None:
        batch.changes.setdefault(point, []).append(change)
    else:
        _tell_after_commit(point, [change])


def _tell_after_commit(point: registry.ExtensionPoint[Any], changes: list[Any]) -> None:
    for listener in point.providers():
        transaction.on_commit(functools.partial(listener, changes))


def _members_on_lesson_date(lesson: Lesson) -> tuple[set[int], set[int]]:
    """The group's members on the lesson date, and those of them enrolled in the school."""
    members = set(
        school_selectors.students_of_group_on(group=lesson.group, day=lesson.date).values_list(
            "pk", flat=True
        )
    )
    return members, school_selectors.students_enrolled_on(student_ids=members, day=lesson.date)


def _ensure_member(lesson: Lesson, student: Student, batch: SaveBatch | None = None) -> None:
    members, enrolled = _memo(lesson, "members", lambda: _members_on_lesson_date(lesson), batch)
    if student.pk not in members:
        # Not named: any id of the school may be sent here, and the answer must not say
        # whose it is to someone who does not teach them.
        raise ValidationError(
            f"Ученик № {student.pk} не учится в группе «{lesson.group}» на дату урока "
            f"{rules.fmt(lesson.date)}."
        )
    if student.pk not in enrolled:
        raise ValidationError(
            f"{student.short_name} не числится в школе на дату урока {rules.fmt(lesson.date)} "
            "(выбыл или ещё не зачислен): записи о нём не вносятся."
        )


def _settings(lesson: Lesson, batch: SaveBatch | None = None) -> JournalSettings:
    return _memo(lesson, "settings", lambda: rules.settings_for(lesson.school), batch)


def _now(lesson: Lesson) -> dt.datetime:
    return rules.school_now(lesson.school)


def _closed(lesson: Lesson, batch: SaveBatch | None = None) -> list[rules.ClosedRange]:
    return _memo(
        lesson,
        "closed",
        lambda: rules.closed_ranges(school_id=lesson.school_id, grade=lesson_grade(lesson)),
        batch,
    )


def _check_version(current_version: int | None, expected: int | None, current: Any) -> None:
    if expected == ANY_VERSION:
        return
    if (expected or None) != current_version:
        raise JournalConflict(current)


# --- Marks -----------------------------------------------------------------------------


@overload
def mark_snapshot(mark: Mark) -> dict[str, Any]: ...
@overload
def mark_snapshot(mark: None) -> None: ...
@overload
def mark_snapshot(mark: Mark | None) -> dict[str, Any] | None: ...
def mark_snapshot(mark: Mark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {
        "value": mark.value,
        "display": mark.get_value_display(),
        "comment": mark.comment,
        "version": mark.version,
        "is_makeup": mark.is_makeup,
    }


@dataclass(frozen=True)
class MarkResult:
    mark: Mark | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def mark_set(
    *,
    actor,
    staff,
    work: Work,
    student: Student,
    value: str | None,
    comment: str | None = None,
    expected_version: int | None,
    batch: SaveBatch | None = None,
) -> MarkResult:
    """Put, change or clear one mark; ``value`` is what the teacher typed."""
    lesson = work.lesson
    _ensure_writer(staff, lesson, batch)
    parsed = parse_mark(value)
    refusal = rules.mark_refusal(
        lesson=lesson,
        grade=lesson_grade(lesson),
        work_type=work.work_type,
        settings=_settings(lesson, batch),
        now=_now(lesson),
        closed=_closed(lesson, batch),
    )
    if refusal:
        raise JournalRefusal(refusal)
    _ensure_member(lesson, student, batch)
    return _apply_mark(
        actor=actor,
        work=work,
        student=student,
        value=parsed,
        comment=comment,
        expected_version=expected_version,
        batch=batch,
    )


def _apply_mark(
    *,
    actor,
    work: Work,
    student: Student,
    value: str | None,
    comment: str | None,
    expected_version: int | None,
    reason: str = "",
    batch: SaveBatch | None = None,
) -> MarkResult:
    # A savepoint lets a caller catch a conflict and go on; a batch of cells never does
    # (any refusal rolls the whole batch back), so it saves two statements per cell.
    with transaction.atomic(savepoint=batch is None):
        return _apply_mark_in_transaction(
            actor=actor,
            work=work,
            student=student,
            value=value,
            comment=comment,
            expected_version=expected_version,
            reason=reason,
            batch=batch,
        )


def _apply_mark_in_transaction(
    *,
    actor,
    work: Work,
    student: Student,
    value: str | None,
    comment: str | None,
    expected_version: int | None,
    reason: str,
    batch: SaveBatch | None,
) -> MarkResult:
    lesson = work.lesson
    key = (work.pk, student.pk)
    if batch is not None and key in batch.marks:
        existing = batch.marks[key]  # read and locked with the batch's other cells
    else:
        existing = Mark.objects.select_for_update().filter(work=work, student=student).first()
    # No comment given: a changed value keeps the comment the mark had.
    comment = (existing.comment if existing and comment is None else comment or "").strip()
    if len(comment) > 500:
        raise ValidationError("Комментарий к отметке — не длиннее 500 символов.")
    before = mark_snapshot(existing)
    _check_version(existing.version if existing else None, expected_version, before)

    if value is None:
        if existing is None:
            return MarkResult(None, None, None)
        existing.delete()
        mark, after = None, None
    else:
        is_makeup = student.pk in _memo(
            lesson,
            "absent",
            lambda: set(
                Attendance.objects.filter(lesson=lesson, code__in=["n", "b", "up"]).values_list(
                    "student_id", flat=True
                )
            ),
            batch,
        )
        if existing is None:
            try:
                with transaction.atomic():
                    mark = Mark.objects.create(
                        work=work,
                        student=student,
                        value=value,
                        numeric=NUMERIC_MARKS.get(value),
                        comment=comment,
                        is_makeup=is_makeup,
                        created_by=actor,
                        updated_by=actor,
                    )
            except IntegrityError:
                # Someone created it between our read and our insert.
                raise JournalConflict(
                    mark_snapshot(Mark.objects.filter(work=work, student=student).first())
                ) from None
        else:
            if existing.value == value and existing.comment == comment:
                return MarkResult(existing, before, before)
            existing.value = value
            existing.numeric = NUMERIC_MARKS.get(value)
            existing.comment = comment
            existing.is_makeup = is_makeup
            existing.version += 1
            existing.updated_by = actor
            existing.save()
            mark = existing
        after = mark_snapshot(mark)
    if batch is not None and key in batch.marks:
        batch.marks[key] = mark
    audit.record(
        action="mark.deleted" if after is None else ("mark.updated" if before else "mark.created"),
        actor=actor,
        school=lesson.school_id,
        object_type="journal.mark",
        object_id=f"{work.pk}:{student.pk}",
        before=_audit_view(before, work, student),
        after=_audit_view(after, work, student),
        reason=reason,
        batch=batch.audit if batch else None,
    )
    change = registry.MarkChange(
        school_id=lesson.school_id,
        lesson_id=lesson.pk,
        work_id=work.pk,
        student_id=student.pk,
        before=before,
        after=after,
    )
    _tell(registry.MARKS_CHANGED, change, batch)
    return MarkResult(mark, before, after)


def _audit_view(snapshot, work: Work, student: Student):
    if snapshot is None:
        return None
    return {**snapshot, "work": work.pk, "student": student.pk, "lesson": work.lesson_id}


# --- Works -----------------------------------------------------------------------------


DEFAULT_WORK_TYPES = [
    # name, short, category, weight
    ("Ответ на уроке", "Отв", WorkCategory.ORAL, "1"),
    ("Контрольная работа", "КР", WorkCategory.CONTROL, "2"),
    ("Самостоятельная работа", "СР", WorkCategory.WRITTEN, "1.5"),
    ("Проверочная работа", "ПР", WorkCategory.CONTROL, "1.5"),
    ("Лабораторная работа", "ЛР", WorkCategory.PRACTICAL, "1.5"),
    ("Практическая работа", "Пр", WorkCategory.PRACTICAL, "1.5"),
    ("Диктант", "Дикт", WorkCategory.CONTROL, "1.5"),
    ("Сочинение", "Соч", WorkCategory.ESSAY, "1.5"),
    ("Изложение", "Изл", WorkCategory.ESSAY, "1.5"),
    ("Тест", "Тест", WorkCategory.WRITTEN, "1"),
    ("Домашняя работа", "ДЗ", WorkCategory.HOMEWORK, "1"),
    ("Зачёт", "Зач", WorkCategory.CONTROL, "2"),
    ("Проект", "Проект", WorkCategory.WRITTEN, "1.5"),
]
DEFAULT_WORK_TYPE_NAME = "Ответ на уроке"


def work_types_ensure_defaults(*, school) -> list[WorkType]:
    """The standard work types, created once per school (the school may edit them)."""
    existing = set(WorkType.objects.filter(school=school).values_list("name", flat=True))
    missing = [
        WorkType(
            school=school,
            name=name,
            short_name=short,
            category=category,
            weight=weight,
            order=index,
        )
        for index, (name, short, category, weight) in enumerate(DEFAULT_WORK_TYPES)
        if name not in existing
    ]
    WorkType.objects.bulk_create(missing)
    return list(WorkType.objects.filter(school=school))


@transaction.atomic
def work_type_save(
    *,
    actor,
    school,
    work_type: WorkType | None,
    name: str,
    short_name: str,
    category: str,
    weight,
    mark_window_days: int | None,
    is_active: bool = True,
) -> WorkType:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название вида работы.")
    if category not in WorkCategory.values:
        raise ValidationError("Неизвестная категория вида работы.")
    try:
        weight_value = float(weight)
    except (TypeError, ValueError):
        raise ValidationError("Вес должен быть числом, например 1 или 1.5.") from None
    if not 0 < weight_value <= 10:
        raise ValidationError("Вес должен быть больше 0 и не больше 10.")
    if mark_window_days is not None and not 0 <= mark_window_days <= 30:
        raise ValidationError("Срок выставления отметок — от 0 до 30 дней.")
    clash = WorkType.objects.filter(school=school, name=name)
    if work_type is not None:
        clash = clash.exclude(pk=work_type.pk)
    if clash.exists():
        raise ValidationError(f"Вид работы «{name}» уже есть.")
    before = None
    if work_type is None:
        work_type = WorkType(school=school)
    else:
        before = _work_type_view(work_type)
    work_type.name = name
    work_type.short_name = (short_name or name[:12]).strip()[:12]
    work_type.category = category
    work_type.weight = weight
    work_type.mark_window_days = mark_window_days
    work_type.is_active = is_active
    if before is not None and _work_type_view(work_type) == before:
        return work_type  # posted back unchanged: nothing to write
    work_type.save()
    audit.record(
        action="work_type.updated" if before else "work_type.created",
        actor=actor,
        school=school,
        obj=work_type,
        before=before,
        after=_work_type_view(work_type),
    )
    return work_type


def _work_type_view(wt: WorkType) -> dict[str, Any]:
    return {
        "name": wt.name,
        "short_name": wt.short_name,
        "category": wt.category,
        "weight": str(wt.weight),
        "mark_window_days": wt.mark_window_days,
        "is_active": wt.is_active,
    }


def _work_view(work: Work) -> dict[str, Any]:
    return {
        "lesson": work.lesson_id,
        "work_type": work.work_type_id,
        "title": work.title,
    }


@transaction.atomic
def work_create(
    *,
    actor,
    staff,
    lesson: Lesson,
    work_type: WorkType,
    title: str = "",
    batch: SaveBatch | None = None,
) -> Work:
    _ensure_writer(staff, lesson, batch)
    if work_type.school_id != lesson.school_id or not work_type.is_active:
        raise ValidationError("Выберите вид работы из списка школы.")
    grade = lesson_grade(lesson)
    no_marks = rules.no_marks_reason(grade=grade, subject=lesson.subject)
    if no_marks:
        raise JournalRefusal(rules.Refusal(no_marks))
    # A work may be planned for a future lesson (a control work announced ahead), but
    # not added once the marking window of its type has closed.
    if lesson.date <= _now(lesson).date():
        refusal = rules.mark_refusal(
            lesson=lesson,
            grade=grade,
            work_type=work_type,
            settings=_settings(lesson, batch),
            now=_now(lesson),
            closed=_closed(lesson, batch),
        )
        if refusal:
            raise JournalRefusal(refusal)
    elif lesson.status == LessonStatus.CANCELLED:
        raise JournalRefusal(rules.Refusal("Урок отменён: записи в журнал по нему не вносятся."))
    title = (title or "").strip()
    if len(title) > 300:
        raise ValidationError("Описание работы — не длиннее 300 символов.")
    position = Work.objects.filter(lesson=lesson).count()
    work = Work.objects.create(
        lesson=lesson, work_type=work_type, title=title, position=position, created_by=actor
    )
    audit.record(
        action="work.created",
        actor=actor,
        school=lesson.school_id,
        obj=work,
        after=_work_view(work),
        batch=batch.audit if batch else None,
    )
    return work


def lesson_default_work(*, actor, staff, lesson: Lesson, batch: SaveBatch | None = None) -> Work:
    """The lesson's first work, created as «Ответ на уроке» when the first mark is typed.

    The lesson row is locked first so that two teachers typing the first mark at the
    same moment get one work, not two."""
    with transaction.atomic():
        Lesson.objects.select_for_update().filter(pk=lesson.pk).first()
        work = Work.objects.filter(lesson=lesson).select_related("work_type").first()
        if work is not None:
            return work
        work_types_ensure_defaults(school=lesson.school)
        work_type = WorkType.objects.get(school_id=lesson.school_id, name=DEFAULT_WORK_TYPE_NAME)
        return work_create(
            actor=actor, staff=staff, lesson=lesson, work_type=work_type, batch=batch
        )


@transaction.atomic
def work_update(*, actor, staff, work: Work, work_type: WorkType, title: str) -> Work:
    lesson = work.lesson
    _ensure_writer(staff, lesson)
    if work_type.school_id != lesson.school_id or not work_type.is_active:
        raise ValidationError("Выберите вид работы из списка школы.")
    if work.marks.exists() and work_type.pk != work.work_type_id:
        # Changing the type of marked work changes weights and windows after the fact.
        refusal = rules.mark_refusal(
            lesson=lesson,
            grade=lesson_grade(lesson),
            work_type=work.work_type,
            settings=_settings(lesson),
            now=_now(lesson),
            closed=_closed(lesson),
        )
        if refusal:
            raise JournalRefusal(refusal)
    before = _work_view(work)
    work.work_type = work_type
    work.title = (title or "").strip()[:300]
    if _work_view(work) == before:
        return work  # posted back unchanged: nothing to write
    work.save(update_fields=["work_type", "title"])
    audit.record(
        action="work.updated",
        actor=actor,
        school=lesson.school_id,
        obj=work,
        before=before,
        after=_work_view(work),
    )
    return work


@transaction.atomic
def work_delete(*, actor, staff, work: Work) -> None:
    _ensure_writer(staff, work.lesson)
    if work.marks.exists():
        raise ValidationError("У работы есть отметки: сначала удалите их.")
    before = _work_view(work)
    audit.record(
        action="work.deleted",
        actor=actor,
        school=work.lesson.school_id,
        obj=work,
        before=before,
    )
    work.delete()


# --- Attendance ------------------------------------------------------------------------


@overload
def attendance_snapshot(row: Attendance) -> dict[str, Any]: ...
@overload
def attendance_snapshot(row: None) -> None: ...
@overload
def attendance_snapshot(row: Attendance | None) -> dict[str, Any] | None: ...
def attendance_snapshot(row: Attendance | None) -> dict[str, Any] | None:
    if row is None:
        return None
    display = row.get_code_display()
    if row.late_minutes:
        display = f"{display} {row.late_minutes} мин"
    return {
        "code": row.code,
        "late_minutes": row.late_minutes,
        "display": display,
        "version": row.version,
    }


def attendance_set(
    *,
    actor,
    staff,
    lesson: Lesson,
    student: Student,
    value: str | None,
    expected_version: int | None,
    batch: SaveBatch | None = None,
) -> Attendance | None:
    """The subject teacher marks presence: «н», «б», «уп», «оп10», or empty (present)."""
    _ensure_writer(staff, lesson, batch)
    code, minutes = parse_attendance(value)
    refusal = rules.attendance_refusal(
        lesson=lesson,
        settings=_settings(lesson, batch),
        now=_now(lesson),
        closed=_closed(lesson, batch),
    )
    if refusal:
        raise JournalRefusal(refusal)
    _ensure_member(lesson, student, batch)
    return _apply_attendance(
        actor=actor,
        lesson=lesson,
        student=student,
        code=code,
        late_minutes=minutes,
        expected_version=expected_version,
        batch=batch,
    )


HOMEROOM_REASON_WINDOW_DAYS = 14


def attendance_set_reason(
    *, actor, staff, lesson: Lesson, student: Student, value: str, expected_version: int | None
) -> Attendance | None:
    """The homeroom teacher sets why a student was absent (Б, УП, or back to Н)."""
    school_class = school_selectors.class_of_student_on(student=student, day=lesson.date)
    if not can_set_absence_reason(staff, school_class):
        raise ValidationError("Причину пропуска указывает классный руководитель ученика.")
    code, _ = parse_attendance(value)
    if code not in (AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED):
        raise ValidationError("Классный руководитель указывает причину пропуска: Н, Б или УП.")
    existing = Attendance.objects.filter(lesson=lesson, student=student).first()
    if existing is None or existing.code == AttendanceCode.LATE:
        raise ValidationError("Причину можно указать только для отмеченного пропуска урока.")
    today = _now(lesson).date()
    if (today - lesson.date).days > HOMEROOM_REASON_WINDOW_DAYS:
        raise JournalRefusal(
            rules.Refusal(
                f"Причину пропуска можно указать в течение {HOMEROOM_REASON_WINDOW_DAYS} дней "
                "после урока. Позже её исправляют через запрос на исправление, который "
                "подаёт учитель, проводивший урок.",
                correctable=False,
            )
        )
    return _apply_attendance(
        actor=actor,
        lesson=lesson,
        student=student,
        code=code,
        late_minutes=None,
        expected_version=expected_version,
        verified=True,
    )


@transaction.atomic
def _apply_attendance(
    *,
    actor,
    lesson: Lesson,
    student: Student,
    code: str | None,
    late_minutes: int | None,
    expected_version: int | None,
    reason: str = "",
    verified: bool = False,
    batch: SaveBatch | None = None,
) -> Attendance | None:
    existing = Attendance.objects.select_for_update().filter(lesson=lesson, student=student).first()
    _memo_forget(lesson, "absent", batch)  # a mark saved later in the batch must see this
    before = attendance_snapshot(existing)
    _check_version(existing.version if existing else None, expected_version, before)
    row: Attendance | None
    if code is None:
        if existing is None:
            return None
        existing.delete()
        row = None
    elif existing is None:
        try:
            with transaction.atomic():
                row = Attendance.objects.create(
                    lesson=lesson,
                    student=student,
                    code=code,
                    late_minutes=late_minutes,
                    updated_by=actor,
                    verified_by=actor if verified else None,
                    verified_at=timezone.now() if verified else None,
                )
        except IntegrityError:
            raise JournalConflict(
                attendance_snapshot(
                    Attendance.objects.filter(lesson=lesson, student=student).first()
                )
            ) from None
    else:
        if existing.code == code and existing.late_minutes == late_minutes and not verified:
            return existing
        existing.code = code
        existing.late_minutes = late_minutes
        existing.version += 1
        existing.updated_by = actor
        if verified:
            existing.verified_by = actor
            existing.verified_at = timezone.now()
        existing.save()
        row = existing
    after = attendance_snapshot(row)
    # A mark on a lesson the student missed is a make-up mark; keep the flag in step.
    Mark.objects.filter(work__lesson=lesson, student=student).update(
        is_makeup=code in ("n", "b", "up")
    )
    audit.record(
        action="attendance.deleted"
        if row is None
        else ("attendance.updated" if before else "attendance.created"),
        actor=actor,
        school=lesson.school_id,
        object_type="journal.attendance",
        object_id=f"{lesson.pk}:{student.pk}",
        before=None if before is None else {**before, "lesson": lesson.pk, "student": student.pk},
        after=None if after is None else {**after, "lesson": lesson.pk, "student": student.pk},
        reason=reason,
        batch=batch.audit if batch else None,
    )
    change = registry.AttendanceChange(
        school_id=lesson.school_id,
        lesson_id=lesson.pk,
        student_id=student.pk,
        before=before,
        after=after,
    )
    _tell(registry.ATTENDANCE_CHANGED, change, batch)
    return row


@transaction.atomic
def attendance_verify_week(*, actor, staff, school_class: SchoolClass, week_start: dt.date) -> int:
    """The homeroom teacher confirms the week's absences of their class (000 §4.3)."""
    if not can_set_absence_reason(staff, school_class):
        raise ValidationError("Подтверждать посещаемость класса может его классный руководитель.")
    week_start = week_start - dt.timedelta(days=week_start.weekday())
    week_end = week_start + dt.timedelta(days=6)
    # Only absences from days the student was in this class (a transfer mid-year moves
    # the verification to the new homeroom teacher).
    in_class_that_day = Q(
        student__enrollments__school_class=school_class,
        student__enrollments__date_from__lte=F("lesson__date"),
    ) & (
        Q(student__enrollments__date_to__isnull=True)
        | Q(student__enrollments__date_to__gte=F("lesson__date"))
    )
    rows = Attendance.objects.filter(
        in_class_that_day,
        lesson__date__range=(week_start, week_end),
        verified_at__isnull=True,
    ).distinct()
    ids = list(rows.values_list("id", flat=True))
    count = Attendance.objects.filter(id__in=ids).update(
        verified_by=actor, verified_at=timezone.now()
    )
    audit.record(
        action="attendance.week_verified",
        actor=actor,
        school=school_class.school_id,
        obj=school_class,
        after={"week_start": week_start.isoformat(), "rows": count},
    )
    return count


# --- Topic and lesson comment -----------------------------------------------------------


def lesson_record_save(
    *, actor, staff, lesson: Lesson, topic: str, comment: str = "", expected_version: int | None
) -> LessonRecord:
    _ensure_writer(staff, lesson)
    refusal = rules.topic_refusal(
        lesson=lesson,
        grade=lesson_grade(lesson),
        settings=_settings(lesson),
        now=_now(lesson),
        closed=_closed(lesson),
    )
    if refusal:
        raise JournalRefusal(refusal)
    return _apply_record(
        actor=actor, lesson=lesson, topic=topic, comment=comment, expected_version=expected_version
    )


@transaction.atomic
def _apply_record(
    *,
    actor,
    lesson: Lesson,
    topic: str,
    comment: str,
    expected_version: int | None,
    reason: str = "",
) -> LessonRecord:
    topic = (topic or "").strip()
    comment = (comment or "").strip()
    if len(topic) > 500:
        raise ValidationError("Тема урока — не длиннее 500 символов.")
    record = LessonRecord.objects.select_for_update().filter(lesson=lesson).first()
    before = (
        None
        if record is None
        else {"topic": record.topic, "comment": record.comment, "version": record.version}
    )
    current = None if before is None else {**before, "display": record.topic or "(без темы)"}  # type: ignore[union-attr]
    _check_version(record.version if record else None, expected_version, current)
    needs_topic = Work.objects.filter(
        lesson=lesson, work_type__category__in=_TOPIC_REQUIRED
    ).exists()
    if needs_topic and not topic:
        raise ValidationError(
            "Тема обязательна для урока с контрольной, практической или лабораторной работой."
        )
    if record is None:
        record = LessonRecord.objects.create(
            lesson=lesson, topic=topic, comment=comment, updated_by=actor
        )
    else:
        if record.topic == topic and record.comment == comment:
            return record
        record.topic = topic
        record.comment = comment
        record.version += 1
        record.updated_by = actor
        record.save()
    if topic and lesson.status == LessonStatus.PLANNED and lesson.date <= _now(lesson).date():
        Lesson.objects.filter(pk=lesson.pk).update(status=LessonStatus.HELD)
        lesson.status = LessonStatus.HELD
    audit.record(
        action="lesson_record.updated" if before else "lesson_record.created",
        actor=actor,
        school=lesson.school_id,
        object_type="schedule.lesson",
        object_id=lesson.pk,
        before=before,
        after={"topic": record.topic, "comment": record.comment, "version": record.version},
        reason=reason,
    )
    return record


_TOPIC_REQUIRED = (WorkCategory.CONTROL, WorkCategory.PRACTICAL)


# --- Homework ----------------------------------------------------------------------


def next_lesson_date(lesson: Lesson) -> dt.date | None:
    nxt = (
        Lesson.objects.filter(
            group_id=lesson.group_id, subject_id=lesson.subject_id, date__gt=lesson.date
        )
        .exclude(status=LessonStatus.CANCELLED)
        .order_by("date", "number")
        .values_list("date", flat=True)
        .first()
    )
    return nxt


def _homework_view(hw: Homework, student_ids: Iterable[int]) -> dict[str, Any]:
    return {
        "lesson": hw.lesson_id,
        "text": hw.text,
        "due_date": hw.due_date.isoformat() if hw.due_date else None,
        "students": sorted(student_ids),
        "version": hw.version,
    }


def homework_save(
    *,
    actor,
    staff,
    lesson: Lesson,
    homework: Homework | None,
    text: str,
    due_date: dt.date | None = None,
    student_ids: Iterable[int] = (),
    expected_version: int | None = None,
) -> Homework:
    """Create or change homework: for the whole group, or for named students."""
    _ensure_writer(staff, lesson)
    refusal = rules.homework_refusal(
        lesson=lesson, settings=_settings(lesson), now=_now(lesson), closed=_closed(lesson)
    )
    if refusal:
        raise JournalRefusal(refusal)
    return _apply_homework(
        actor=actor,
        lesson=lesson,
        homework=homework,
        text=text,
        due_date=due_date,
        student_ids=student_ids,
        expected_version=expected_version,
    )


@transaction.atomic
def _apply_homework(
    *,
    actor,
    lesson: Lesson,
    homework: Homework | None,
    text: str,
    due_date: dt.date | None,
    student_ids: Iterable[int],
    expected_version: int | None,
    reason: str = "",
) -> Homework:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Напишите текст домашнего задания.")
    if len(text) > 5000:
        raise ValidationError("Домашнее задание — не длиннее 5000 символов.")
    if homework is not None and homework.lesson_id != lesson.pk:
        raise ValidationError("Задание относится к другому уроку.")
    due_date = due_date or next_lesson_date(lesson)
    if due_date is not None and due_date < lesson.date:
        raise ValidationError("Срок выполнения не может быть раньше даты урока.")
    wanted = set(student_ids)
    if wanted:
        members = set(
            school_selectors.students_of_group_on(group=lesson.group, day=lesson.date).values_list(
                "id", flat=True
            )
        )
        strangers = wanted - members
        if strangers:
            raise ValidationError("Индивидуальное задание можно дать только ученикам этой группы.")
    before = None
    if homework is not None:
        homework = Homework.objects.select_for_update().get(pk=homework.pk)
        old_students = set(homework.students.values_list("id", flat=True))
        before = _homework_view(homework, old_students)
        _check_version(
            homework.version, expected_version, {**before, "display": homework.text[:40]}
        )
        if (text, due_date, wanted) == (homework.text, homework.due_date, old_students):
            return homework  # posted back unchanged: no new version, no event
        homework.text = text
        homework.due_date = due_date
        homework.is_individual = bool(wanted)
        homework.version += 1
        homework.save()
    else:
        homework = Homework.objects.create(
            lesson=lesson,
            text=text,
            due_date=due_date,
            is_individual=bool(wanted),
            created_by=actor,
        )
    homework.students.set(wanted)
    audit.record(
        action="homework.updated" if before else "homework.created",
        actor=actor,
        school=lesson.school_id,
        obj=homework,
        before=before,
        after=_homework_view(homework, wanted),
        reason=reason,
    )
    change = registry.HomeworkChange(
        school_id=lesson.school_id,
        lesson_id=lesson.pk,
        homework_id=homework.pk,
        created=before is None,
    )
    _tell(registry.HOMEWORK_CHANGED, change, None)
    return homework


@transaction.atomic
def homework_delete(*, actor, staff, homework: Homework) -> None:
    lesson = homework.lesson
    _ensure_writer(staff, lesson)
    refusal = rules.homework_refusal(
        lesson=lesson, settings=_settings(lesson), now=_now(lesson), closed=_closed(lesson)
    )
    if refusal:
        raise JournalRefusal(refusal)
    before = _homework_view(homework, homework.students.values_list("id", flat=True))
    audit.record(
        action="homework.deleted", actor=actor, school=lesson.school_id, obj=homework, before=before
    )
    for attachment in homework.attachments.all():
        attachment.file.delete(save=False)
    homework.delete()


@transaction.atomic
def homework_attach(*, actor, staff, homework: Homework, upload) -> HomeworkAttachment:
    from ejournal.core.uploads import validate_upload

    lesson = homework.lesson
    _ensure_writer(staff, lesson)
    refusal = rules.homework_refusal(
        lesson=lesson, settings=_settings(lesson), now=_now(lesson), closed=_closed(lesson)
    )
    if refusal:
        raise JournalRefusal(refusal)
    checked = validate_upload(upload)
    if homework.attachments.count() >= 10:
        raise ValidationError("К заданию можно приложить не больше 10 файлов.")
    attachment = HomeworkAttachment(
        homework=homework,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    attachment.file.save(checked.storage_name, upload, save=False)
    attachment.save()
    audit.record(
        action="homework.attachment_added",
        actor=actor,
        school=lesson.school_id,
        obj=attachment,
        after={"homework": homework.pk, "name": checked.name, "size": checked.size},
    )
    return attachment


# --- Correction requests -----------------------------------------------------------


def _current_value(kind: str, lesson: Lesson, work: Work | None, student: Student | None):
    if kind == CorrectionKind.MARK:
        return mark_snapshot(Mark.objects.filter(work=work, student=student).first())
    if kind == CorrectionKind.ATTENDANCE:
        return attendance_snapshot(
            Attendance.objects.filter(lesson=lesson, student=student).first()
        )
    if kind == CorrectionKind.TOPIC:
        record = LessonRecord.objects.filter(lesson=lesson).first()
        return {"topic": record.topic} if record else None
    hw = Homework.objects.filter(lesson=lesson, is_individual=False).first()
    return {"text": hw.text} if hw else None


def _normalise_new_value(kind: str, new_value: dict[str, Any]) -> dict[str, Any]:
    """Validate the requested value now, so an approval cannot fail on bad input."""
    if kind == CorrectionKind.MARK:
        value = parse_mark(new_value.get("value"))
        comment = (new_value.get("comment") or "").strip()[:500]
        return {"value": value, "comment": comment}
    if kind == CorrectionKind.ATTENDANCE:
        code, minutes = parse_attendance(new_value.get("value"))
        return {"code": code, "late_minutes": minutes}
    if kind == CorrectionKind.TOPIC:
        topic = (new_value.get("topic") or "").strip()
        if not topic or len(topic) > 500:
            raise ValidationError("Укажите тему урока (не длиннее 500 символов).")
        return {"topic": topic}
    if kind == CorrectionKind.HOMEWORK:
        text = (new_value.get("text") or "").strip()
        if not text or len(text) > 5000:
            raise ValidationError("Укажите текст домашнего задания (не длиннее 5000 символов).")
        return {"text": text}
    raise ValidationError("Неизвестный вид исправления.")


def _default_work_type(lesson: Lesson) -> WorkType:
    work_types_ensure_defaults(school=lesson.school)
    return WorkType.objects.get(school_id=lesson.school_id, name=DEFAULT_WORK_TYPE_NAME)


def _default_work_for_correction(*, actor, lesson: Lesson, reason: str) -> Work:
    """The lesson's first work, added by an approved correction (no window applies)."""
    work = Work.objects.filter(lesson=lesson).first()
    if work is not None:
        return work
    work = Work.objects.create(
        lesson=lesson, work_type=_default_work_type(lesson), position=0, created_by=actor
    )
    audit.record(
        action="work.created",
        actor=actor,
        school=lesson.school_id,
        obj=work,
        after=_work_view(work),
        reason=reason,
    )
    return work


def _window_refusal(kind: str, lesson: Lesson, work: Work | None) -> rules.Refusal | None:
    settings, now = _settings(lesson), _now(lesson)
    if kind == CorrectionKind.MARK:
        return rules.mark_refusal(
            lesson=lesson,
            grade=lesson_grade(lesson),
            work_type=work.work_type if work else _default_work_type(lesson),
            settings=settings,
            now=now,
            closed=_closed(lesson),
        )
    if kind == CorrectionKind.ATTENDANCE:
        return rules.attendance_refusal(
            lesson=lesson, settings=settings, now=now, closed=_closed(lesson)
        )
    if kind == CorrectionKind.TOPIC:
        return rules.topic_refusal(
            lesson=lesson,
            grade=lesson_grade(lesson),
            settings=settings,
            now=now,
            closed=_closed(lesson),
        )
    return rules.homework_refusal(lesson=lesson, settings=settings, now=now, closed=_closed(lesson))


@transaction.atomic
def correction_request_create(
    *,
    actor,
    staff,
    lesson: Lesson,
    kind: str,
    new_value: dict[str, Any],
    reason: str,
    work: Work | None = None,
    student: Student | None = None,
) -> CorrectionRequest:
    """The teacher asks to change a record whose window has closed."""
    _ensure_writer(staff, lesson)
    if kind not in CorrectionKind.values:
        raise ValidationError("Неизвестный вид исправления.")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError("Укажите причину исправления (не короче 5 символов).")
    # A lesson without works may still get a late mark: the approval then adds the
    # lesson's default work («Ответ на уроке»).
    if kind == CorrectionKind.MARK and (
        (work is not None and work.lesson_id != lesson.pk) or student is None
    ):
        raise ValidationError("Для исправления отметки укажите работу этого урока и ученика.")
    if kind == CorrectionKind.ATTENDANCE and student is None:
        raise ValidationError("Для исправления посещаемости укажите ученика.")
    if student is not None:
        _ensure_member(lesson, student)
    refusal = _window_refusal(kind, lesson, work)
    if refusal is None:
        raise ValidationError("Срок ещё не истёк: внесите изменение в журнал сами.")
    if not refusal.correctable:
        raise JournalRefusal(refusal)
    normalised = _normalise_new_value(kind, new_value)
    duplicate = CorrectionRequest.objects.filter(
        lesson=lesson, kind=kind, work=work, student=student, status=CorrectionStatus.PENDING
    ).exists()
    if duplicate:
        raise ValidationError("По этой записи уже есть запрос на рассмотрении.")
    request_obj = CorrectionRequest.objects.create(
        school_id=lesson.school_id,
        lesson=lesson,
        kind=kind,
        work=work,
        student=student,
        old_value=_current_value(kind, lesson, work, student),
        new_value=normalised,
        reason=reason,
        requested_by=actor,
    )
    audit.record(
        action="correction.requested",
        actor=actor,
        school=lesson.school_id,
        obj=request_obj,
        before=request_obj.old_value,
        after=normalised,
        reason=reason,
    )
    return request_obj


def correction_request_apply(req: CorrectionRequest, *, actor) -> None:
    """Make the change an approved request asks for, whatever the windows say (called
    by ``corrections.correction_decide`` inside its transaction)."""
    lesson = req.lesson
    reason = correction_reason(req)
    value = req.new_value
    if req.kind == CorrectionKind.MARK:
        assert req.student is not None
        work = req.work or _default_work_for_correction(actor=actor, lesson=lesson, reason=reason)
        _apply_mark(
            actor=actor,
            work=work,
            student=req.student,
            value=value["value"],
            comment=value.get("comment", ""),
            expected_version=ANY_VERSION,
            reason=reason,
        )
    elif req.kind == CorrectionKind.ATTENDANCE:
        assert req.student is not None
        _apply_attendance(
            actor=actor,
            lesson=lesson,
            student=req.student,
            code=value["code"],
            late_minutes=value["late_minutes"],
            expected_version=ANY_VERSION,
            reason=reason,
        )
    elif req.kind == CorrectionKind.TOPIC:
        record = LessonRecord.objects.filter(lesson=lesson).first()
        _apply_record(
            actor=actor,
            lesson=lesson,
            topic=value["topic"],
            comment=record.comment if record else "",
            expected_version=ANY_VERSION,
            reason=reason,
        )
    else:
        hw = Homework.objects.filter(lesson=lesson, is_individual=False).first()
        _apply_homework(
            actor=actor,
            lesson=lesson,
            homework=hw,
            text=value["text"],
            due_date=hw.due_date if hw else None,
            student_ids=(),
            expected_version=ANY_VERSION,
            reason=reason,
        )


# --- Several cells in one go (the grid) ---------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    """One cell the teacher typed: a mark of a work, or a lesson's attendance.

    ``work`` None on a mark cell means the lesson's default work, created with the first
    mark. ``comment`` None keeps the mark's current comment.
    """

    kind: str  # "mark" or "attendance"
    lesson: Lesson
    student: Student
    value: str | None
    expected_version: int | None
    work: Work | None = None
    comment: str | None = None


@dataclass(frozen=True)
class CellSaved:
    change: CellChange
    work: Work | None
    snapshot: dict[str, Any] | None


class CellError(Exception):
    """A cell of a batch failed; nothing of the batch was saved."""

    def __init__(self, index: int, error: Exception):
        self.index = index
        self.error = error
        super().__init__(str(error))


def journal_cells_save(*, actor, staff, changes: list[CellChange]) -> list[CellSaved]:
    """Apply several cells all-or-nothing: a refusal or a conflict in any cell rolls
    back every cell of the batch (and its audit events and notifications)."""
    if not changes:
        raise ValidationError("Нет изменений для сохранения.")
    if len(changes) > 500:
        raise ValidationError("За один раз можно сохранить не больше 500 ячеек.")
    saved: list[CellSaved] = []
    with transaction.atomic(), audit.batch() as audit_batch:
        batch = SaveBatch(audit=audit_batch)
        _lock_batch_marks(batch, changes)
        for index, change in enumerate(changes):
            try:
                saved.append(_cell_save(actor=actor, staff=staff, change=change, batch=batch))
            except (ValidationError, JournalConflict) as exc:
                raise CellError(index, exc) from exc
        for point, told in batch.changes.items():
            _tell_after_commit(point, told)
    return saved


def _cell_save(*, actor, staff, change: CellChange, batch: SaveBatch) -> CellSaved:
    lesson = change.lesson
    if change.kind == "attendance":
        row = attendance_set(
            actor=actor,
            staff=staff,
            lesson=lesson,
            student=change.student,
            value=change.value,
            expected_version=change.expected_version,
            batch=batch,
        )
        return CellSaved(change, None, attendance_snapshot(row))
    if change.kind != "mark":
        raise ValidationError("Неизвестный вид ячейки.")
    work = change.work
    if work is None:
        _ensure_writer(staff, lesson, batch)
        work = lesson_default_work(actor=actor, staff=staff, lesson=lesson, batch=batch)
    elif work.lesson_id != lesson.pk:
        raise ValidationError("Работа относится к другому уроку.")
    # No comment in the cell: mark_set keeps the comment the mark already has.
    result = mark_set(
        actor=actor,
        staff=staff,
        work=work,
        student=change.student,
        value=change.value,
        comment=change.comment,
        expected_version=change.expected_version,
        batch=batch,
    )
    return CellSaved(change, work, result.after)
