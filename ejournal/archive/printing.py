"""The printed copy of a class journal (001 §4.3–4.7, SPEC R10.1) and its summary sheet.

``journal_copy_data`` gathers everything a copy shows into plain JSON-ready data, from a
fixed number of queries per class whatever its size; the same data is archived next to the
PDF, so an archive record can always be compared with the live journal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from ejournal.accounts.models import Role, StaffMember, Student, shown_name_ordering
from ejournal.attestation import selectors as attestation_selectors
from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.audit import keys as audit_keys
from ejournal.audit import services as audit
from ejournal.audit.models import AuditChainHead
from ejournal.core.pdf import render_typst
from ejournal.journal.models import Attendance, Homework, Mark, MarkValue, Work
from ejournal.journal.rules import no_marks_reason
from ejournal.journal.selectors import SHOWN_STATUSES, attendance_text
from ejournal.schedule.models import Lesson
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    TeachingLoad,
)

MARK_TEXT = dict(MarkValue.choices)
PERIOD_MARK_TEXT = dict(PeriodMark._meta.get_field("value").choices)  # type: ignore[arg-type]


def fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class CopyScope:
    """A class and a study period, or its whole year (``period`` is None)."""

    school_class: SchoolClass
    period: StudyPeriod | None
    periods: list[StudyPeriod]

    @property
    def start(self) -> dt.date:
        return self.period.start if self.period else self.school_class.year.start

    @property
    def end(self) -> dt.date:
        return self.period.end if self.period else self.school_class.year.end

    @property
    def label(self) -> str:
        return self.period.name if self.period else f"{self.school_class.year} учебный год"

    @property
    def target(self) -> attestation_selectors.Target | None:
        year = self.school_class.year
        if self.period is not None:
            return attestation_selectors.Target(
                PeriodMarkKind.PERIOD, year, self.period, self.period
            )
        if not self.periods:
            return None
        return attestation_selectors.Target(PeriodMarkKind.YEAR, year, None, self.periods[-1])


def scope_for(*, school_class: SchoolClass, period: StudyPeriod | None) -> CopyScope:
    periods = school_selectors.periods_for_grade(year=school_class.year, grade=school_class.grade)
    return CopyScope(school_class, period, periods)


def _order_note(student: Student) -> str:
    if not student.pseudonym:
        return ""
    order = student.pseudonym_order
    if order is None:
        return f"{student.pseudonym}: кодовое имя"
    return f"{student.pseudonym}: кодовое имя присвоено, {order}"


def _teacher_name(staff: StaffMember | None) -> str:
    return staff.short_name if staff is not None else ""


def _signatories(school) -> dict[str, str]:
    """The deputy and the director who sign the copy (one query)."""
    names: dict[str, list[str]] = defaultdict(list)
    rows = (
        StaffMember.objects.filter(
            school=school,
            is_active=True,
            user__role_assignments__school=school,
            user__role_assignments__active=True,
            user__role_assignments__role__in=[Role.DEPUTY, Role.DIRECTOR],
        )
        .order_by("last_name", "first_name")
        .values_list("user__role_assignments__role", "last_name", "first_name", "patronymic")
    )
    for role, last, first, patronymic in rows:
        staff = StaffMember(last_name=last, first_name=first, patronymic=patronymic)
        if staff.short_name not in names[role]:
            names[role].append(staff.short_name)
    director = ", ".join(names[Role.DIRECTOR]) or school.director_name
    return {"deputy": ", ".join(names[Role.DEPUTY]), "director": director}


def _group_members(
    school_class, groups: dict[int, StudyGroup], start: dt.date, end: dt.date
) -> tuple[dict[int, set[int]], set[int]]:
    """Who belonged to each group within the dates, and to the class (two queries)."""
    members: dict[int, set[int]] = defaultdict(set)
    class_members = set(
        ClassEnrollment.objects.filter(
            school_selectors.overlapping(start, end), school_class=school_class
        ).values_list("student_id", flat=True)
    )
    for group_id, student_id in (
        GroupMembership.objects.filter(
            school_selectors.overlapping(start, end), group__school_class=school_class
        )
        .exclude(group__kind=GroupKind.WHOLE_CLASS)
        .values_list("group_id", "student_id")
    ):
        members[group_id].add(student_id)
    for group in groups.values():
        if group.kind == GroupKind.WHOLE_CLASS:
            members[group.pk] = class_members
    return members, class_members


def _period_marks(
    scope: CopyScope, year, students: list[Student]
) -> dict[tuple[int, int], dict[str, str]]:
    """(student, subject) → the printed text of each period mark and the year mark."""
    period_marks: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)
    pm_filter = Q(kind=PeriodMarkKind.YEAR, year=year)
    pm_filter |= Q(period__in=[scope.period] if scope.period else scope.periods)
    for sid, subject_id, kind, period_name, value in PeriodMark.objects.filter(
        pm_filter, student_id__in=[s.pk for s in students]
    ).values_list("student_id", "subject_id", "kind", "period__name", "value"):
        column = "Год" if kind == PeriodMarkKind.YEAR else period_name
        period_marks[(sid, subject_id)][column] = PERIOD_MARK_TEXT.get(value, value)
    return period_marks


def audit_head(school) -> dict:
    """The school's audit chain head as the copy prints it (issue #22): whoever holds the
    paper can later ask ``audit_verify`` whether the chain still has that link, so a chain
    rewritten or cut short after the printing is caught from outside the database."""
    chain = audit.chain_for(school.pk)
    head = AuditChainHead.objects.filter(chain=chain).first()
    seq, last_hash = (head.last_seq, head.last_hash) if head else (0, audit.GENESIS_HASH)
    return {
        "chain": chain,
        "seq": seq,
        "hash": last_hash,
        "hash_short": last_hash[:16],
        "key_version": audit_keys.current_version(),
    }


def journal_copy_data(*, scope: CopyScope, printed: dt.date | None = None) -> dict:
    """Everything the printed copy shows: title, per subject the marks grid and the
    facing page of topics, the period marks, and the summary sheet."""
    school_class = scope.school_class
    school = school_class.school
    year = school_class.year
    start, end = scope.start, scope.end
    groups = {
        g.pk: g for g in StudyGroup.objects.filter(school_class=school_class).order_by("name")
    }
    loads = list(
        TeachingLoad.objects.filter(group__school_class=school_class)
        .select_related("subject", "teacher")
        .order_by("subject__name", "group__name")
    )
    lesson_q = Q(group_id__in=list(groups), date__range=(start, end), status__in=SHOWN_STATUSES)
    lessons = list(
        Lesson.objects.filter(lesson_q)
        .select_related("record", "subject", "planned_teacher", "actual_teacher")
        .order_by("date", "number", "start_time", "pk")
    )
    lesson_subquery = Lesson.objects.filter(lesson_q).values("pk")
    works_by_lesson: dict[int, list[Work]] = defaultdict(list)
    for work in (
        Work.objects.filter(lesson__in=lesson_subquery)
        .select_related("work_type")
        .order_by("position", "id")
    ):
        works_by_lesson[work.lesson_id].append(work)
    marks: dict[tuple[int, int], list[str]] = defaultdict(list)
    work_lesson = {w.pk: lid for lid, works in works_by_lesson.items() for w in works}
    work_order = {w.pk: i for works in works_by_lesson.values() for i, w in enumerate(works)}
    mark_rows = sorted(
        Mark.objects.filter(work__lesson__in=lesson_subquery).values_list(
            "work_id", "student_id", "value"
        ),
        key=lambda r: work_order.get(r[0], 0),
    )
    for work_id, student_id, value in mark_rows:
        marks[(work_lesson[work_id], student_id)].append(MARK_TEXT.get(value, value))
    attendance = {
        (lid, sid): attendance_text(code, minutes)
        for lid, sid, code, minutes in Attendance.objects.filter(
            lesson__in=lesson_subquery
        ).values_list("lesson_id", "student_id", "code", "late_minutes")
    }
    homework: dict[int, list[str]] = defaultdict(list)
    for lid, text, individual in (
        Homework.objects.filter(lesson__in=lesson_subquery)
        .order_by("id")
        .values_list("lesson_id", "text", "is_individual")
    ):
        homework[lid].append(text + (" (индивидуально)" if individual else ""))

    members, class_members = _group_members(school_class, groups, start, end)
    all_ids = class_members.union(*members.values()) if members else class_members
    students = list(
        Student.objects.filter(pk__in=all_ids)
        .select_related("pseudonym_order")
        .order_by(*shown_name_ordering())
    )
    number_of = {s.pk: i for i, s in enumerate(students, start=1)}

    mark_columns = [p.name for p in scope.periods] if scope.period is None else [scope.period.name]
    if scope.period is None:
        mark_columns.append("Год")
    period_marks = _period_marks(scope, year, students)

    # Sections: one per group × subject that has a teaching load or lessons.
    sections: dict[tuple[int, int], dict] = {}
    for load in loads:
        key = (load.subject_id, load.group_id)
        section = sections.setdefault(key, _section(load.subject, groups[load.group_id]))
        if load.teacher.short_name not in section["teachers"]:
            section["teachers"].append(load.teacher.short_name)
    lessons_by_section: dict[tuple[int, int], list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        key = (lesson.subject_id, lesson.group_id)
        if key not in sections:
            sections[key] = _section(lesson.subject, groups[lesson.group_id])
            sections[key]["teachers"].append(_teacher_name(lesson.planned_teacher))
        lessons_by_section[key].append(lesson)

    result_sections = []
    for key, section in sorted(
        sections.items(), key=lambda item: (item[1]["subject"], item[1]["group"])
    ):
        subject_id, group_id = key
        grade_reason = no_marks_reason(grade=school_class.grade, subject=section["_subject"])
        section_lessons = lessons_by_section.get(key, [])
        section["lessons"] = [
            _lesson_view(lesson, works_by_lesson.get(lesson.pk, []), homework.get(lesson.pk, []))
            for lesson in section_lessons
        ]
        section["no_marks"] = grade_reason or ""
        section["mark_columns"] = mark_columns
        rows = []
        for student in students:
            if student.pk not in members[group_id]:
                continue
            cells, absent = [], 0
            for lesson in section_lessons:
                parts = list(marks.get((lesson.pk, student.pk), []))
                code = attendance.get((lesson.pk, student.pk), "")
                if code:
                    parts.append(code.lower())
                    if not code.startswith("ОП"):
                        absent += 1
                cells.append(" ".join(parts))
            finals = period_marks.get((student.pk, subject_id), {})
            rows.append(
                {
                    "id": student.pk,
                    "number": number_of[student.pk],
                    "name": student.full_name,
                    "cells": cells,
                    "absent": str(absent) if absent else "",
                    "finals": [finals.get(column, "") for column in mark_columns],
                }
            )
        section["rows"] = rows
        del section["_subject"]
        result_sections.append(section)

    homeroom = school_class.homeroom_teacher
    signatories = _signatories(school)
    return {
        "kind": "journal",
        "school": school.name,
        "school_short": school.short_name,
        "class": str(school_class),
        "year": str(year),
        "period": scope.label,
        "start": fmt(start),
        "end": fmt(end),
        "homeroom": homeroom.full_name if homeroom else "",
        "homeroom_short": homeroom.short_name if homeroom else "",
        "deputy": signatories["deputy"],
        "director": signatories["director"],
        "printed": fmt(printed or school_selectors.school_today(school)),
        "students": [
            {"id": s.pk, "number": number_of[s.pk], "name": s.full_name, "note": _order_note(s)}
            for s in students
            if s.pk in class_members
        ],
        "pseudonyms": [note for s in students if (note := _order_note(s))],
        "sections": result_sections,
        "summary": summary_data(scope=scope),
        "audit_head": audit_head(school),
    }


def _section(subject, group: StudyGroup) -> dict:
    whole = group.kind == GroupKind.WHOLE_CLASS
    return {
        "subject": subject.name,
        "group": "" if whole else group.name,
        "teachers": [],
        "_subject": subject,
    }


def _lesson_view(lesson: Lesson, works: list[Work], homework: list[str]) -> dict:
    record = getattr(lesson, "record", None)
    teacher = lesson.actual_teacher or lesson.planned_teacher
    substitution = ""
    if lesson.actual_teacher_id and lesson.actual_teacher_id != lesson.planned_teacher_id:
        substitution = f"замена (по расписанию — {_teacher_name(lesson.planned_teacher)})"
    return {
        "id": lesson.pk,
        "date": lesson.date.strftime("%d.%m"),
        "full_date": fmt(lesson.date),
        "number": lesson.number,
        "topic": record.topic if record else "",
        "works": ", ".join(
            w.work_type.short_name + (f" «{w.title}»" if w.title else "") for w in works
        ),
        "homework": "; ".join(homework),
        "teacher": _teacher_name(teacher),
        "substitution": substitution,
    }


def summary_data(*, scope: CopyScope) -> dict:
    """The class summary sheet (сводная ведомость) as plain data (six queries)."""
    target = scope.target
    school_class = scope.school_class
    header = {
        "kind": "summary",
        "school": school_class.school.name,
        "class": str(school_class),
        "year": str(school_class.year),
        "period": scope.label,
        "is_year": scope.period is None,
    }
    if target is None:
        return {**header, "subjects": [], "rows": [], "footer": []}
    sheet = attestation_selectors.summary_sheet(school_class=school_class, target=target)
    rows = []
    for number, row in enumerate(sheet.rows, start=1):
        decision = ""
        if row.decision is not None:
            decision = str(row.decision)
        rows.append(
            {
                "number": number,
                "name": row.student.full_name,
                "cells": [cell.get_value_display() if cell else "" for cell in row.cells],
                "counts": [row.counts.five, row.counts.four, row.counts.three, row.counts.two],
                "na": row.counts.na,
                "absent": row.absences.total,
                "ill": row.absences.ill,
                "excused": row.absences.excused,
                "decision": decision,
            }
        )
    footer = [
        {
            "label": label,
            "values": ["—" if v is None else str(v) for v in values],
            "total": "—" if total is None else str(total),
        }
        for label, values, total in sheet.footer()
    ]
    return {
        **header,
        "subjects": [s.short_name or s.name for s in sheet.subjects],
        "rows": rows,
        "footer": footer,
    }


def summary_copy_data(*, scope: CopyScope, printed: dt.date | None = None) -> dict:
    """The summary sheet alone, with the title facts its printed page needs."""
    school_class = scope.school_class
    homeroom = school_class.homeroom_teacher
    signatories = _signatories(school_class.school)
    return {
        **summary_data(scope=scope),
        "school_short": school_class.school.short_name,
        "homeroom_short": homeroom.short_name if homeroom else "",
        "deputy": signatories["deputy"],
        "director": signatories["director"],
        "printed": fmt(printed or school_selectors.school_today(school_class.school)),
        "audit_head": audit_head(school_class.school),
    }


def render_copy(data: dict) -> bytes:
    """The PDF of a journal copy or of a summary sheet, by ``data["kind"]``."""
    if data["kind"] == "summary":
        return render_typst("archive/summary.typ", data)
    return render_typst("archive/journal.typ", data)


def render_school(copies: list[dict]) -> bytes:
    """Several classes' journal copies in one PDF (the school-wide print)."""
    return render_typst("archive/school.typ", {"copies": copies})
