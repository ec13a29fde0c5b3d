"""The owner's page for app passwords (a normal signed-in page of the site) and the
section it adds to the profile page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ejournal.accounts.permissions import deny
from ejournal.diary import selectors as diary
from ejournal.school.http import AuthedRequest, SchoolRequest
from ejournal.webapi import selectors, services


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def app_password(request: AuthedRequest):
    if not diary.family_students(request.user):
        raise deny()
    password = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            _item, password = services.app_password_create(user=request.user)
        elif action == "revoke":
            if services.app_password_revoke(user=request.user):
                messages.success(request, "Доступ для сторонних приложений отключён.")
            return redirect("webapi:app_password")
        else:
            messages.error(request, "Неизвестное действие: обновите страницу и повторите.")
            return redirect("webapi:app_password")
    state = selectors.access_state(user=request.user)
    return render(
        request,
        "webapi/app_password.html",
        {
            "state": state,
            "password": password,
            "login": request.user.username,
            "origin": request.build_absolute_uri("/").rstrip("/"),
            "schools": sorted({s.school.short_name for s in diary.family_students(request.user)}),
        },
    )


def profile_section(request: SchoolRequest):
    """For «Профиль» (``registry.PROFILE_SECTIONS``): only for students and parents."""
    if not request.user.is_authenticated or not diary.family_students(request.user):
        return None
    state = selectors.access_state(user=request.user)
    if state.active is None:
        text = "Выключен. Включите, чтобы читать дневник из приложений для «Сетевого города»."
    elif state.active.last_used_at:
        used = timezone.localtime(state.active.last_used_at)
        text = f"Включён; последнее использование {used:%d.%m.%Y %H:%M}."
    else:
        text = "Включён; пароль ещё не использовался."
    return {
        "title": "Доступ для сторонних приложений",
        "text": text,
        "url": reverse("webapi:app_password"),
    }
