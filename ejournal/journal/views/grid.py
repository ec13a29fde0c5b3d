"""The journal lists and the grid of a group × subject × period, with its JSON endpoint
that saves one or several cells all-or-nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.models import Student
from ejournal.accounts.permissions import deny, roles_required
from ejournal.journal import forms, selectors, services
from ejournal.journal.models import (
    Work,
)
from ejournal.journal.permissions import group_for_read, lesson_for_write, subject_readable
from ejournal.journal.views.common import (
    CORRECTION_DECIDERS,
    JOURNAL_ROLES,
    WORK_TYPE_READERS,
    error_text,
    request_today,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest

# --- Lists ----------------------------------------------------------------------------------


@roles_required(JOURNAL_ROLES)
def index(request: AuthedRequest):
    school = request.ctx.school_or_404()
    year = school_selectors.year_on(school=school, day=request_today(request))
    journals = selectors.journals_of(request.ctx, year=year)
    return render(
        request,
        "journal/index.html",
        {
            "year": year,
            "journals": journals,
            "homeroom_classes": selectors.homeroom_classes(request.ctx.staff, year),
            "can_decide": bool(request.ctx.roles & CORRECTION_DECIDERS),
            "can_read_types": bool(request.ctx.roles & WORK_TYPE_READERS),
        },
    )


# --- The grid -------------------------------------------------------------------------------


@roles_required(JOURNAL_ROLES)
def grid(request: AuthedRequest, group_id: int, subject_id: int, period_id: int | None = None):
    group = group_for_read(request.ctx, group_id)
    # The group is of the current school (group_for_read checks it): no second read of it.
    group.school = request.ctx.school_or_404()
    subject = subject_readable(request.ctx, group, subject_id)
    periods = selectors.periods_of_group(group)
    period = selectors.period_pick(periods, period_id, request_today(request))
    journal = selectors.journal_grid(
        roles=request.ctx.roles,
        group=group,
        subject=subject,
        start=period.start,
        end=period.end,
        staff=request.ctx.staff,
    )
    return render(
        request,
        "journal/grid.html",
        {
            "grid": journal,
            "periods": periods,
            "period": period,
            "cells_url": reverse("journal:cells_save"),
        },
    )


@roles_required(JOURNAL_ROLES)
@require_POST
def cells_save(request: AuthedRequest):
    """Save one or several grid cells all-or-nothing; answers JSON.

    200 with the saved cells (and, when the page sent its dates, the new «Ср.» and «Долг»
    of the rows touched); 422 with the Russian refusal (nothing saved); 409 with the
    current value when someone else changed a cell since the page was loaded.
    """
    ctx = request.ctx
    try:
        parsed = forms.parse_cells(request.body)
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    cells = parsed.cells
    lessons = {lid: lesson_for_write(ctx, lid) for lid in {c.lesson_id for c in cells}}
    work_ids = {c.work_id for c in cells if c.work_id is not None}
    works = {
        w.pk: w
        for w in Work.objects.filter(pk__in=work_ids, lesson_id__in=list(lessons)).select_related(
            "work_type"
        )
    }
    students = {
        s.pk: s
        for s in Student.objects.filter(school=ctx.school, pk__in={c.student_id for c in cells})
    }
    if work_ids - set(works) or {c.student_id for c in cells} - set(students):
        raise deny()
    for work in works.values():
        work.lesson = lessons[work.lesson_id]
    changes = [
        services.CellChange(
            kind=c.kind,
            lesson=lessons[c.lesson_id],
            student=students[c.student_id],
            work=works.get(c.work_id) if c.work_id else None,
            value=c.value,
            expected_version=c.version,
            comment=c.comment,
        )
        for c in cells
    ]
    try:
        saved = services.journal_cells_save(actor=request.user, staff=ctx.staff, changes=changes)
    except services.CellError as failure:
        error = failure.error
        if isinstance(error, services.JournalConflict):
            return JsonResponse(
                {
                    "error": str(error),
                    "index": failure.index,
                    "current": _cell_json(cells[failure.index].kind, error.current),
                },
                status=409,
            )
        assert isinstance(error, ValidationError)
        return JsonResponse(
            {
                "error": error_text(error),
                "index": failure.index,
                "correctable": getattr(error, "correctable", False),
            },
            status=422,
        )
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=422)
    answer: dict = {
        "cells": [
            {**_cell_json(s.change.kind, s.snapshot), "w": s.work.pk if s.work else None}
            for s in saved
        ]
    }
    if parsed.totals_range:
        answer["rows"] = _rows_json(ctx.school, lessons.values(), cells, *parsed.totals_range)
    return JsonResponse(answer)


def _rows_json(school, lessons, cells, start, end) -> dict[str, dict]:
    """The «Ср.» and «Долг» of the rows the save touched, keyed by student id (a grid shows
    one group and subject; the lesson's own, whichever the cells name)."""
    rows: dict[str, dict] = {}
    for group_id, subject_id in {(lesson.group_id, lesson.subject_id) for lesson in lessons}:
        totals = selectors.row_totals(
            school=school,
            group_id=group_id,
            subject_id=subject_id,
            start=start,
            end=end,
            student_ids=[c.student_id for c in cells],
        )
        for student_id, row in totals.items():
            rows[str(student_id)] = {
                "avg": row.average,
                "hint": row.suggested,
                "debts": row.debts,
            }
    return rows


def _cell_json(kind: str, snapshot) -> dict:
    if not snapshot:
        return {"text": "", "ver": None}
    if kind == "attendance":
        text = selectors.attendance_text(snapshot["code"], snapshot["late_minutes"])
    else:
        text = selectors.MARK_TEXT[snapshot["value"]]
        return {"text": text, "ver": snapshot["version"], "c": snapshot["comment"]}
    return {"text": text, "ver": snapshot["version"]}
