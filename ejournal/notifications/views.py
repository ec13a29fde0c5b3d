"""Notification settings, and the browsers a person receives push notifications on."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ejournal.core.devices import describe_device
from ejournal.notifications import gateways, push, selectors, services
from ejournal.notifications.forms import PreferencesForm
from ejournal.notifications.models import Channel
from ejournal.school.http import AuthedRequest


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest):
    """Every signed-in user chooses which notifications to get, where and how often."""
    configured = frozenset(c for c in Channel.values if gateways.is_configured(c))
    form = PreferencesForm(
        request.POST or None,
        initial_modes=services.preferences_of(request.user),
        configured=configured,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.preferences_save(user=request.user, modes=form.modes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Настройки сохранены." if changed else "Изменений нет.")
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "channels": [(channel, channel.value in configured) for channel in Channel],
            "unconfigured": [c.label for c in Channel if c.value not in configured],
            "recent": selectors.recent_deliveries(user=request.user),
            "has_email": bool(request.user.email),
            "push_key": push.public_key() if Channel.PUSH in configured else "",
            "devices": push.devices_of(request.user),
        },
    )


@login_required
@require_POST
def push_subscribe(request: AuthedRequest):
    """The browser's push subscription (JSON from ``push.js``) for the signed-in person."""
    try:
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": "Браузер передал неверные данные."}, status=400)
    try:
        subscription = push.subscription_save(
            user=request.user,
            data=data.get("subscription") or {},
            device=describe_device(request.META.get("HTTP_USER_AGENT", "")),
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"id": subscription.pk, "device": subscription.device}, status=201)


@login_required
@require_POST
def push_delete(request: AuthedRequest, subscription_id: int):
    try:
        push.subscription_delete(user=request.user, subscription_id=subscription_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Устройство больше не получает уведомления.")
    return redirect("notifications:preferences")
