"""The user's personal access tokens (profile → «Доступ к API»)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import deny
from ejournal.api import selectors, services
from ejournal.api.forms import TokenForm
from ejournal.school.http import AuthedRequest, SchoolRequest


def _page(request: AuthedRequest, form, *, new_token: str = "", status: int = 200):
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": selectors.tokens_of(user=request.user),
            "new_token": new_token,
            "docs_url": reverse("api:v1:openapi-view"),
            "schema_url": reverse("api:v1:openapi-json"),
        },
        status=status,
    )


@never_cache
@login_required
def tokens(request: AuthedRequest):
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _, raw = services.token_issue(
                user=request.user,
                actor=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown once: only its hash is kept.
            return _page(request, TokenForm(), new_token=raw)
    return _page(request, form, status=422)


@require_POST
@login_required
def token_revoke(request: AuthedRequest, token_id: int):
    token = selectors.token_of(user=request.user, token_id=token_id)
    if token is None:
        raise deny()
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"Токен «{token.name}» отозван.")
    return redirect("api:tokens")


def profile_section(request: SchoolRequest):
    """For «Профиль» (``registry.PROFILE_SECTIONS``)."""
    if not request.user.is_authenticated:
        return None
    return {
        "title": "Доступ к API",
        "text": "Личные токены для программ и скриптов: создание, срок действия, отзыв.",
        "url": reverse("api:tokens"),
    }
