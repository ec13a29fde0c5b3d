"""The start page and the school choice (mounted in the ``accounts`` namespace:
``accounts:home``, ``accounts:choose_school``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render

from ejournal.accounts.middleware import SESSION_SCHOOL_KEY
from ejournal.accounts.views import safe_next
from ejournal.school import start
from ejournal.school.http import AuthedRequest


@login_required
def choose_school(request: AuthedRequest):
    memberships = request.ctx.memberships
    if request.method == "POST":
        key = request.POST.get("membership", "")
        if any(m.key == key for m in memberships):
            request.session[SESSION_SCHOOL_KEY] = key
            return HttpResponseRedirect(safe_next(request))
        messages.error(request, "Выберите школу из списка.")
    return render(
        request,
        "school/choose_school.html",
        {"memberships": memberships, "next": safe_next(request, "")},
    )


@login_required
def home(request: AuthedRequest):
    """The role-aware start page: each role lands on what it needs first."""
    ctx = request.ctx
    if ctx.needs_choice:
        return redirect("accounts:choose_school")
    role = ctx.primary_role
    if role is None:
        return render(request, "school/start_none.html")
    data = start.start_page_data(request=request, role=role)
    return render(request, f"school/start_{role}.html", data)
