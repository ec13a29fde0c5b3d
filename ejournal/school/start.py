"""The role-aware start page: each role lands on what it needs first — the school's
overview for the administration, the day's lessons and classes for a teacher, the
children for a parent — plus the blocks other apps add (``registry.START_PAGE_BLOCKS``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch

from ejournal.accounts.models import MUNICIPAL_ROLES, Role, StaffMember, Student
from ejournal.core import registry
from ejournal.school import selectors as school_selectors
from ejournal.school.models import ClassEnrollment, School, SchoolClass, TeachingLoad


def start_page_data(*, request, role: str) -> dict[str, Any]:
    ctx = request.ctx
    school = ctx.school
    data: dict[str, Any] = {"role": role}
    if role in MUNICIPAL_ROLES:
        data["schools"] = (
            School.objects.filter(municipality=ctx.municipality)
            .annotate(class_count=Count("classes", distinct=True))
            .order_by("short_name")
        )
        return data
    assert school is not None
    today = school_selectors.school_today(school)
    year = school_selectors.year_on(school=school, day=today)
    data.update({"today": today, "year": year})

    if role in (Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.OPERATOR) and year:
        classes = list(school_selectors.classes_with_sizes(year=year, day=today))
        data["classes"] = classes
        data["student_count"] = sum(c.size for c in classes)  # type: ignore[attr-defined]
        data["staff_count"] = StaffMember.objects.filter(school=school, is_active=True).count()
        if role != Role.OPERATOR:
            data["problems"] = school_selectors.structure_problems(year=year, day=today)
    if role == Role.HR:
        data["staff"] = StaffMember.objects.filter(school=school).order_by("last_name")
    if role == Role.TEACHER and ctx.staff:
        data["loads"] = (
            TeachingLoad.objects.filter(teacher=ctx.staff, group__year=year)
            .select_related("group", "subject", "group__school_class")
            .order_by("group__school_class__grade", "group__name", "subject__name")
        )
        data["homeroom_classes"] = [
            (c, school_selectors.students_of_class_on(school_class=c, day=today).count())
            for c in SchoolClass.objects.filter(homeroom_teacher=ctx.staff, year=year)
        ]
    if role == Role.PARENT and ctx.guardian:
        data["children"] = children_with_classes(guardian=ctx.guardian, day=today)
    if role == Role.STUDENT and ctx.student:
        data["student"] = ctx.student
        data["school_class"] = school_selectors.class_of_student_on(student=ctx.student, day=today)
    # Other apps' blocks (``registry.START_PAGE_BLOCKS``) add context; "blocks" (title,
    # lines of (text, url)) are collected from all.
    blocks: list[dict[str, Any]] = []
    for block in registry.START_PAGE_BLOCKS.providers():
        extra = dict(block(request, role) or {})
        blocks.extend(extra.pop("blocks", []))
        data.update(extra)
    data["blocks"] = blocks
    return data


def children_with_classes(*, guardian, day) -> list[tuple[Student, SchoolClass | None]]:
    enrollments = ClassEnrollment.objects.filter(school_selectors.active_on(day)).select_related(
        "school_class"
    )
    students = guardian.students.prefetch_related(
        Prefetch("enrollments", queryset=enrollments, to_attr="current_enrollments")
    ).order_by("birth_date")
    return [
        (s, s.current_enrollments[0].school_class if s.current_enrollments else None)
        for s in students
    ]
