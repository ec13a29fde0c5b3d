"""Notification settings, and the browsers a person receives push notifications on."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ejournal.core.devices import describe_device
from ejournal.notifications import contacts, gateways, push, selectors, services
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
        quiet_hours=services.quiet_hours_on(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.preferences_save(user=request.user, modes=form.modes())
            if Channel.PUSH in configured:
                changed += services.quiet_hours_save(
                    user=request.user, enabled=form.cleaned_data["quiet_hours"]
                )
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


class ContactsForm(forms.Form):
    email = forms.EmailField(label="Электронная почта", required=False, max_length=254)
    phone = forms.CharField(label="Мобильный телефон", required=False, max_length=30)


@login_required
@require_http_methods(["GET", "POST"])
def my_contacts(request: AuthedRequest):
    """Where a family's notifications go: the e-mail (changed by a confirmed link) and,
    for a parent, the phone on their card."""
    user = request.user
    guardians = contacts.guardians_of(user)
    phone = guardians[0].phone if guardians else ""
    form = ContactsForm(request.POST or None, initial={"email": user.email, "phone": phone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = []
        try:
            if guardians and data["phone"] != phone:
                contacts.phone_change(user=user, phone=data["phone"])
                done.append("Телефон сохранён.")
            if data["email"] and data["email"].lower() != (user.email or "").lower():
                contacts.email_change_request(
                    user=user, email=data["email"], base_url=_base_url(request)
                )
                done.append(
                    f"На адрес {data['email']} отправлено письмо: откройте ссылку из него, "
                    "и уведомления пойдут на новый адрес."
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            for text in done or ["Изменений нет."]:
                messages.success(request, text)
            return redirect("notifications:contacts")
    return render(
        request,
        "notifications/contacts.html",
        {
            "form": form,
            "has_card": bool(guardians),
            "email": user.email,
            "confirmed": user.email_confirmed,
        },
    )


@login_required
@require_POST
def email_confirm_send(request: AuthedRequest):
    """A link to confirm the address the school entered."""
    try:
        contacts.email_change_request(
            user=request.user, email=request.user.email or "", base_url=_base_url(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"На адрес {request.user.email} отправлено письмо со ссылкой.")
    return redirect("notifications:contacts")


@login_required
@require_http_methods(["GET", "POST"])
def email_confirm(request: AuthedRequest, token: str):
    """The link from the confirmation letter: a page with one button (a mail scanner
    opening the link changes nothing)."""
    if request.method == "POST":
        try:
            email = contacts.email_change_confirm(user=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Адрес {email} подтверждён: уведомления приходят на него.")
        return redirect("notifications:contacts")
    return render(request, "notifications/email_confirm.html", {})


def _base_url(request) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/")


def contacts_section(request) -> dict | None:
    """«Профиль»: where notifications go (``registry.PROFILE_SECTIONS``)."""
    if not request.user.is_authenticated:
        return None
    email = request.user.email or "не указана"
    return {
        "title": "Контакты для уведомлений",
        "text": f"Электронная почта: {email}. Телефон — в карточке родителя.",
        "url": reverse("notifications:contacts"),
    }
