from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ejournal.notifications import gateways, selectors, services
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
        },
    )
