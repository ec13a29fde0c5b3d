"""What the schedule pages share: who sees them, today's date and the year, form errors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError

from ejournal.core.dates import query_date
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest

TEACHERS = frozenset({"teacher"})


def _today_and_year(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today = school_selectors.school_today(school)
    return today, school_selectors.year_on(school=school, day=today)


def _day_param(request: AuthedRequest, default: dt.date) -> dt.date:
    return query_date(request.GET.get("date")) or default


def _errors(request: AuthedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)
