"""What every structure page shares: the tab bar, the form round trip, lookups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import (
    can_edit_structure,
    get_in_school_or_404,
)
from ejournal.school import selectors
from ejournal.school.http import SchoolRequest
from ejournal.school.models import (
    AcademicYear,
)

# --- helpers ------------------------------------------------------------------------


def year_or_404(request: SchoolRequest, year_id: int) -> AcademicYear:
    return get_in_school_or_404(AcademicYear.objects.select_related("school"), request, id=year_id)


def current_year(request: SchoolRequest) -> AcademicYear | None:
    school = request.ctx.school_or_404()
    return selectors.year_on(school=school, day=selectors.school_today(school))


def render_page(
    request: SchoolRequest, template: str, *, tab: str, year: AcademicYear | None, **context
):
    """Render a structure page with the tab bar of ``year``."""
    context.update(
        {
            "tab": tab,
            "year": year,
            "can_edit": can_edit_structure(request),
            "is_admin": Role.ADMIN in request.ctx.roles,
        }
    )
    return render(request, template, context)


def form_page(
    request,
    form: Form,
    *,
    write: Callable[[dict], Any],
    success_url: str | Callable[[Any], str],
    success_message: str,
    title: str,
    tab: str,
    year: AcademicYear | None,
    cancel_url: str,
) -> HttpResponse:
    """GET shows the form; a valid POST calls ``write`` (one service) and redirects.
    A service's ValidationError is shown above the form and nothing is saved.
    ``success_url`` may be a function of the written object."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = write(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success_message)
            return redirect(success_url(obj) if callable(success_url) else success_url)
    return render_page(
        request,
        "school/form.html",
        tab=tab,
        year=year,
        form=form,
        title=title,
        cancel_url=cancel_url,
    )


def post_action(
    request: SchoolRequest, action: Callable[[], object], *, success_message: str, url: str
):
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success_message)
    return redirect(url)


def field_values(obj, names: list[str]) -> dict:
    return {name: getattr(obj, name) for name in names}
