"""What the journal views share: role sets, URL helpers and lesson fetching."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse

from ejournal.accounts.models import Role
from ejournal.journal.permissions import (
    CORRECTION_DECIDERS,
    CORRECTION_READERS,
    lesson_for_write,
    lesson_readable,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.http import SchoolRequest

# The views' role checks, with the service's rule.
__all__ = ["CORRECTION_DECIDERS", "CORRECTION_READERS"]

# Everyone who may have a journal to read; finer checks are per group, subject, lesson.
JOURNAL_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER})
WORK_TYPE_EDITORS = frozenset({Role.ADMIN, Role.DEPUTY})
# The director reads the work types (weights and windows) without changing them.
WORK_TYPE_READERS = WORK_TYPE_EDITORS | {Role.DIRECTOR}


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def request_today(request: SchoolRequest) -> dt.date:
    return school_selectors.school_today(request.ctx.school_or_404())


def lesson_url(lesson_id: int, anchor: str = "") -> str:
    return reverse("journal:lesson", args=[lesson_id]) + (f"#{anchor}" if anchor else "")


def grid_url(group_id: int, subject_id: int, period_id: int | None = None) -> str:
    if period_id is None:
        return reverse("journal:grid", args=[group_id, subject_id])
    return reverse("journal:grid_period", args=[group_id, subject_id, period_id])


def writable_lesson(request: SchoolRequest, lesson_id: int):
    lesson_for_write(request.ctx, lesson_id)
    # The lesson page needs the related rows too; one query instead of several lazy ones.
    return lesson_readable(request.ctx, lesson_id)
