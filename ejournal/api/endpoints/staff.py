"""Staff resources: classes and their students, lessons of a date range, journals.

Each check is the web page's own: the class roster rule of ``people`` (administration and
operator any class, a homeroom teacher their class), ``schedule.permissions`` for lessons
and ``journal.selectors.journals_of`` for the journals a user reaches.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from ninja import Query, Router

from ejournal.accounts.models import Student, shown_name_parts
from ejournal.accounts.permissions import STAFF_ANY
from ejournal.api.auth import ApiRequest, require_roles, school_of
from ejournal.api.endpoints.common import LESSON_RELATED, date_range, lesson_out, person, today_of
from ejournal.api.errors import error_responses, not_found
from ejournal.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate
from ejournal.api.schemas import (
    ClassPage,
    JournalOut,
    LessonPage,
    StudentPage,
    TimetablePage,
    WorkTypeOut,
)
from ejournal.journal import selectors as journal_selectors
from ejournal.journal.views.common import JOURNAL_ROLES
from ejournal.people import views as people_views
from ejournal.schedule import selectors as schedule_selectors
from ejournal.schedule.permissions import TIMETABLE_READERS, lessons_visible_to
from ejournal.school import selectors as school_selectors
from ejournal.school.models import AcademicYear, SchoolClass

router = Router(tags=["Классы, уроки и журналы (сотрудники)"])

LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="строк на странице")
CURSOR = Query(None, max_length=500, description="next_cursor предыдущей страницы")


def _year(school, year_id: int | None) -> AcademicYear | None:
    if year_id is not None:
        year = AcademicYear.objects.filter(pk=year_id, school=school).first()
        if year is None:
            raise not_found()
        return year
    return school_selectors.year_on(school=school, day=today_of(school))


@router.get(
    "/classes",
    response={200: ClassPage, **error_responses()},
    summary="Классы школы (по умолчанию текущего года)",
)
def classes(
    request: ApiRequest, year_id: int | None = None, cursor: str | None = CURSOR, limit: int = LIMIT
):
    require_roles(request, STAFF_ANY)
    school = school_of(request)
    year = _year(school, year_id)
    qs = SchoolClass.objects.filter(school=school, year=year).select_related("homeroom_teacher")
    return paginate(
        qs,
        key=[("grade", False), ("letter", False), ("id", False)],
        cursor=cursor,
        limit=limit,
        render=lambda c: {
            "id": c.pk,
            "name": str(c),
            "grade": c.grade,
            "letter": c.letter,
            "year_id": c.year_id,
            "homeroom_teacher": person(c.homeroom_teacher) or None,
            "room": c.room,
            "shift": c.shift,
        },
    )


@router.get(
    "/classes/{class_id}/students",
    response={200: StudentPage, **error_responses()},
    summary="Ученики класса на дату",
)
def class_students(
    request: ApiRequest,
    class_id: int,
    date: dt.date | None = None,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    require_roles(request, people_views.ROSTER_ROLES)
    # The roster page's own check: administration any class, a homeroom teacher their own.
    school_class = people_views._class(request, class_id)
    on = date or today_of(school_class.school)
    qs = Student.objects.filter(
        Q(enrollments__date_to__isnull=True) | Q(enrollments__date_to__gte=on),
        enrollments__school_class=school_class,
        enrollments__date_from__lte=on,
    ).distinct()
    # By the name shown: a code sorts as the code, never by the real surname behind it.
    return paginate(
        qs.annotate(**shown_name_parts()),
        key=[
            ("shown_last", False),
            ("shown_first_name", False),
            ("shown_patronymic", False),
            ("id", False),
        ],
        cursor=cursor,
        limit=limit,
        render=lambda s: {"id": s.pk, "name": s.full_name, "pseudonymised": bool(s.pseudonym)},
    )


@router.get(
    "/timetable",
    response={200: TimetablePage, **error_responses()},
    summary="Расписание уроков школы, действующее на дату",
)
def timetable(
    request: ApiRequest,
    date: dt.date | None = None,
    class_id: int | None = None,
    teacher_id: int | None = None,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    """The weekly timetable every staff member reads (``schedule.permissions``), as of a
    date; ``class_id`` narrows it to the class's groups, ``teacher_id`` to a teacher."""
    require_roles(request, TIMETABLE_READERS)
    school = school_of(request)
    qs = schedule_selectors.entries_on(school=school, day=date or today_of(school))
    if class_id is not None:
        qs = qs.filter(group_id__in=schedule_selectors.class_group_ids(school_class_id=class_id))
    if teacher_id is not None:
        qs = qs.filter(teacher_id=teacher_id)
    return paginate(
        qs,
        key=[("weekday", False), ("number", False), ("id", False)],
        cursor=cursor,
        limit=limit,
        render=lambda e: {
            "id": e.pk,
            "weekday": e.weekday,
            "number": e.number,
            "group": {"id": e.group_id, "name": e.group.name},
            "class_name": str(e.group.school_class) if e.group.school_class_id else None,
            "subject": {"id": e.subject_id, "name": e.subject.name},
            "teacher": person(e.teacher),
            "room": e.room,
            "valid_from": e.valid_from,
            "valid_to": e.valid_to,
        },
    )


@router.get(
    "/lessons",
    response={200: LessonPage, **error_responses()},
    summary="Уроки за период (расписание с заменами)",
)
def lessons(
    request: ApiRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_id: int | None = None,
    mine: bool = Query(False, description="только уроки, которые я веду"),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    """Lessons the user may see (``schedule.permissions.lessons_visible_to``): the
    administration every lesson, a teacher their own, their load's and their class's."""
    require_roles(request, STAFF_ANY)
    school = school_of(request)
    start, end = date_range(date_from, date_to, today=today_of(school), max_days=93)
    qs = lessons_visible_to(request.ctx).filter(date__range=(start, end))
    if group_id is not None:
        qs = qs.filter(group_id=group_id)
    if mine:
        staff = request.ctx.staff
        qs = qs.none() if staff is None else qs.filter(schedule_selectors.teaching_q(staff))
    return paginate(
        qs.select_related(*LESSON_RELATED),
        key=[("date", False), ("number", False), ("id", False)],
        cursor=cursor,
        limit=limit,
        render=lesson_out,
    )


@router.get(
    "/journals",
    response={200: list[JournalOut], **error_responses()},
    summary="Журналы, доступные пользователю",
)
def journals(request: ApiRequest, year_id: int | None = None):
    require_roles(request, JOURNAL_ROLES)
    school = school_of(request)
    found = journal_selectors.journals_of(request.ctx, year=_year(school, year_id))
    rows: list[dict] = []
    seen: set[tuple[str, int, int]] = set()

    def add(kind, link):
        if (kind, link.group.pk, link.subject.pk) in seen:
            return
        seen.add((kind, link.group.pk, link.subject.pk))
        school_class = link.group.school_class
        rows.append(
            {
                "kind": kind,
                "group": {"id": link.group.pk, "name": link.group.name},
                "class_name": str(school_class) if school_class else None,
                "subject": {"id": link.subject.pk, "name": link.subject.name},
                "teacher": person(link.teacher) or None,
            }
        )

    for link in found["own"]:
        add("own", link)
    for link in found["homeroom"]:
        add("homeroom", link)
    for _label, links in found["school"]:
        for link in links:
            add("school", link)
    return rows


@router.get(
    "/work-types",
    response={200: list[WorkTypeOut], **error_responses()},
    summary="Виды работ школы",
)
def work_types(request: ApiRequest):
    require_roles(request, JOURNAL_ROLES)
    return [work_type_out(t) for t in journal_selectors.work_types_of(school_of(request))]


def work_type_out(t) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "short_name": t.short_name,
        "category": t.category,
        "weight": str(t.weight),
        "mark_window_days": t.mark_window_days,
    }
