"""The class journal of one lesson: read it, and for its teacher write the topic, works,
marks, attendance and homework.

Reading and writing use the journal's own permission helpers (``lesson_readable``,
``writable_lesson``) and services, so the school's windows, grade-1 rules, membership
checks, versions and the audit trail are exactly the web's. A refused write answers 422
``rule_refused`` with the rule's Russian message; a stale version 409 ``conflict``.
"""

from __future__ import annotations

from ninja import Router, Status

from ejournal.accounts.models import Student
from ejournal.api.auth import ApiRequest, require_roles, school_of
from ejournal.api.endpoints.common import attachment_out, lesson_out, student_ref
from ejournal.api.endpoints.staff import work_type_out
from ejournal.api.errors import ApiError, error_responses, not_found
from ejournal.api.schemas import (
    AttendanceListIn,
    AttendanceListOut,
    HomeworkIn,
    HomeworkOut,
    LessonDetailOut,
    MarksIn,
    MarksOut,
    TopicIn,
    TopicOut,
    WorkIn,
    WorkOut,
)
from ejournal.journal import selectors as journal_selectors
from ejournal.journal import services
from ejournal.journal.models import Attendance, Homework, Mark, Work
from ejournal.journal.permissions import can_write_lesson, lesson_readable
from ejournal.journal.views.common import JOURNAL_ROLES, writable_lesson

router = Router(tags=["Журнал урока (учитель)"])


def _readable(request: ApiRequest, lesson_id: int):
    require_roles(request, JOURNAL_ROLES)
    return lesson_readable(request.ctx, lesson_id)


def _writable(request: ApiRequest, lesson_id: int):
    require_roles(request, JOURNAL_ROLES)
    return writable_lesson(request, lesson_id)


def mark_out(work_id: int, student_id: int, snapshot: dict) -> dict:
    return {
        "work_id": work_id,
        "student_id": student_id,
        "value": snapshot["value"],
        "display": snapshot["display"],
        "comment": snapshot["comment"],
        "is_makeup": snapshot["is_makeup"],
        "version": snapshot["version"],
    }


def attendance_out(student_id: int, snapshot: dict) -> dict:
    return {
        "student_id": student_id,
        "code": snapshot["code"],
        "display": snapshot["display"],
        "late_minutes": snapshot["late_minutes"],
        "version": snapshot["version"],
    }


def homework_out(hw: Homework, student_ids: list[int], attachments) -> dict:
    return {
        "id": hw.pk,
        "lesson_id": hw.lesson_id,
        "text": hw.text,
        "due_date": hw.due_date,
        "individual": hw.is_individual,
        "student_ids": sorted(student_ids),
        "attachments": [attachment_out(a) for a in attachments],
        "version": hw.version,
    }


def _work_out(work: Work) -> dict:
    return {"id": work.pk, "work_type": work_type_out(work.work_type), "title": work.title}


@router.get(
    "/lessons/{lesson_id}",
    response={200: LessonDetailOut, **error_responses()},
    summary="Урок в журнале: ученики, работы, отметки, посещаемость, задания",
)
def lesson_detail(request: ApiRequest, lesson_id: int):
    lesson = _readable(request, lesson_id)
    record = getattr(lesson, "record", None)
    works = list(Work.objects.filter(lesson=lesson).select_related("work_type"))
    marks = Mark.objects.filter(work__lesson=lesson).order_by("work_id", "student_id")
    attendance = Attendance.objects.filter(lesson=lesson).order_by("student_id")
    homework = journal_selectors.homework_of_lesson(lesson)
    return {
        **lesson_out(lesson),
        "writable": can_write_lesson(request.ctx.staff, lesson, roles=request.ctx.roles),
        "comment": record.comment if record else "",
        "record_version": record.version if record else None,
        "students": [
            student_ref(s) for s in journal_selectors.members_on(lesson.group, lesson.date)
        ],
        "works": [_work_out(w) for w in works],
        "marks": [mark_out(m.work_id, m.student_id, services.mark_snapshot(m)) for m in marks],
        "attendance": [
            attendance_out(a.student_id, services.attendance_snapshot(a)) for a in attendance
        ],
        "homework": [
            homework_out(hw, [s.pk for s in hw.students.all()], hw.attachments.all())
            for hw in homework
        ],
    }


@router.put(
    "/lessons/{lesson_id}/topic",
    response={200: TopicOut, **error_responses()},
    summary="Тема и комментарий урока",
)
def topic_save(request: ApiRequest, lesson_id: int, payload: TopicIn):
    lesson = _writable(request, lesson_id)
    record = services.lesson_record_save(
        actor=request.user,
        staff=request.ctx.staff,
        lesson=lesson,
        topic=payload.topic,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return {"topic": record.topic, "comment": record.comment, "version": record.version}


@router.post(
    "/lessons/{lesson_id}/works",
    response={201: WorkOut, **error_responses()},
    summary="Добавить работу на уроке",
)
def work_create(request: ApiRequest, lesson_id: int, payload: WorkIn):
    lesson = _writable(request, lesson_id)
    work_type = (
        journal_selectors.work_types_of(lesson.school).filter(pk=payload.work_type_id).first()
    )
    if work_type is None:
        raise ApiError(422, "invalid", "Выберите вид работы из списка школы.")
    work = services.work_create(
        actor=request.user,
        staff=request.ctx.staff,
        lesson=lesson,
        work_type=work_type,
        title=payload.title,
    )
    return Status(201, _work_out(work))


def _students(request: ApiRequest, ids: set[int]) -> dict[int, Student]:
    found = {s.pk: s for s in Student.objects.filter(school=school_of(request), pk__in=ids)}
    if set(ids) - set(found):
        raise not_found()
    return found


@router.put(
    "/lessons/{lesson_id}/marks",
    response={200: MarksOut, **error_responses()},
    summary="Поставить, изменить или удалить отметки (всё или ничего)",
)
def marks_save(request: ApiRequest, lesson_id: int, payload: MarksIn):
    lesson = _writable(request, lesson_id)
    students = _students(request, {i.student_id for i in payload.items})
    work_ids = {i.work_id for i in payload.items if i.work_id is not None}
    works = {
        w.pk: w
        for w in Work.objects.filter(pk__in=work_ids, lesson=lesson).select_related("work_type")
    }
    if work_ids - set(works):
        raise not_found()
    for work in works.values():
        work.lesson = lesson
    changes = [
        services.CellChange(
            kind="mark",
            lesson=lesson,
            student=students[i.student_id],
            work=works[i.work_id] if i.work_id is not None else None,
            value=i.value,
            expected_version=i.version,
            comment=i.comment,
        )
        for i in payload.items
    ]
    saved = services.journal_cells_save(
        actor=request.user, staff=request.ctx.staff, changes=changes
    )
    return {
        "items": [
            {
                "student_id": s.change.student.pk,
                "work_id": s.work.pk,
                "mark": mark_out(s.work.pk, s.change.student.pk, s.snapshot)
                if s.snapshot
                else None,
            }
            for s in saved
            if s.work is not None
        ]
    }


@router.put(
    "/lessons/{lesson_id}/attendance",
    response={200: AttendanceListOut, **error_responses()},
    summary="Отметить посещаемость (всё или ничего)",
)
def attendance_save(request: ApiRequest, lesson_id: int, payload: AttendanceListIn):
    lesson = _writable(request, lesson_id)
    students = _students(request, {i.student_id for i in payload.items})
    changes = [
        services.CellChange(
            kind="attendance",
            lesson=lesson,
            student=students[i.student_id],
            value=i.value,
            expected_version=i.version,
        )
        for i in payload.items
    ]
    saved = services.journal_cells_save(
        actor=request.user, staff=request.ctx.staff, changes=changes
    )
    return {
        "items": [
            {
                "student_id": s.change.student.pk,
                "attendance": attendance_out(s.change.student.pk, s.snapshot)
                if s.snapshot
                else None,
            }
            for s in saved
        ]
    }


@router.post(
    "/lessons/{lesson_id}/homework",
    response={201: HomeworkOut, **error_responses()},
    summary="Задать домашнее задание (группе или отдельным ученикам)",
)
def homework_create(request: ApiRequest, lesson_id: int, payload: HomeworkIn):
    lesson = _writable(request, lesson_id)
    homework = services.homework_save(
        actor=request.user,
        staff=request.ctx.staff,
        lesson=lesson,
        homework=None,
        text=payload.text,
        due_date=payload.due_date,
        student_ids=payload.student_ids,
    )
    return Status(201, homework_out(homework, payload.student_ids, []))


def _homework_for_write(request: ApiRequest, homework_id: int) -> Homework:
    require_roles(request, JOURNAL_ROLES)
    homework = Homework.objects.filter(pk=homework_id, lesson__school=school_of(request)).first()
    if homework is None:
        raise not_found()
    homework.lesson = writable_lesson(request, homework.lesson_id)
    return homework


@router.put(
    "/homework/{homework_id}",
    response={200: HomeworkOut, **error_responses()},
    summary="Изменить домашнее задание",
)
def homework_update(request: ApiRequest, homework_id: int, payload: HomeworkIn):
    homework = _homework_for_write(request, homework_id)
    homework = services.homework_save(
        actor=request.user,
        staff=request.ctx.staff,
        lesson=homework.lesson,
        homework=homework,
        text=payload.text,
        due_date=payload.due_date,
        student_ids=payload.student_ids,
        expected_version=payload.version,
    )
    return homework_out(homework, payload.student_ids, homework.attachments.all())


@router.delete(
    "/homework/{homework_id}",
    response={204: None, **error_responses()},
    summary="Удалить домашнее задание",
)
def homework_delete(request: ApiRequest, homework_id: int):
    homework = _homework_for_write(request, homework_id)
    services.homework_delete(actor=request.user, staff=request.ctx.staff, homework=homework)
    return Status(204, None)
