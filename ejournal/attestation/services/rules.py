"""The school's attestation settings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.attestation import selectors
from ejournal.attestation.models import (
    AttestationSettings,
)
from ejournal.attestation.permissions import SETTINGS_EDITORS, user_holds
from ejournal.audit import services as audit

SETTINGS_FIELDS = (
    "threshold_5",
    "threshold_4",
    "threshold_3",
    "min_marks_1h",
    "min_marks_2h",
    "min_marks_3h",
    "entry_window_days",
    "closing_grace_days",
    "require_written_work",
)


@transaction.atomic
def attestation_settings_update(*, actor, school, **values) -> AttestationSettings:
    """The administrator or deputy changes the school's attestation rules."""
    if not user_holds(actor, school, SETTINGS_EDITORS):
        raise ValidationError(
            "Настройки аттестации меняет администратор или заместитель директора."
        )
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"Неизвестные настройки: {', '.join(sorted(unknown))}.")
    settings = selectors.settings_of(school)
    before = _settings_view(settings)
    merged = {**before, **values}
    try:
        t5, t4, t3 = (
            Decimal(str(merged[k])) for k in ("threshold_5", "threshold_4", "threshold_3")
        )
    except (InvalidOperation, TypeError):
        raise ValidationError("Пороги округления — числа, например 4.5.") from None
    if not (Decimal(2) < t3 < t4 < t5 <= Decimal(5)):
        raise ValidationError("Пороги должны возрастать: 2 < «3» < «4» < «5» ≤ 5.")
    if any(t != t.quantize(Decimal("0.01")) for t in (t5, t4, t3)):
        raise ValidationError("Пороги округления — не больше двух знаков после запятой.")
    counts = [int(merged[k]) for k in ("min_marks_1h", "min_marks_2h", "min_marks_3h")]
    if not all(1 <= c <= 50 for c in counts) or counts != sorted(counts):
        raise ValidationError(
            "Минимум отметок — от 1 до 50 и не меньше для предметов с бо́льшим числом часов."
        )
    if not 1 <= int(merged["entry_window_days"]) <= 30:
        raise ValidationError("Окно выставления отметок за период — от 1 до 30 дней.")
    if not 0 <= int(merged["closing_grace_days"]) <= 30:
        raise ValidationError("Дней до закрытия периода — от 0 до 30.")
    settings.threshold_5, settings.threshold_4, settings.threshold_3 = t5, t4, t3
    settings.min_marks_1h, settings.min_marks_2h, settings.min_marks_3h = counts
    settings.entry_window_days = int(merged["entry_window_days"])
    settings.closing_grace_days = int(merged["closing_grace_days"])
    settings.require_written_work = bool(merged["require_written_work"])
    if _settings_view(settings) == before:
        return settings  # posted back unchanged: nothing to write
    settings.save()
    audit.record(
        action="attestation_settings.updated",
        actor=actor,
        school=school,
        obj=settings,
        before=before,
        after=_settings_view(settings),
    )
    return settings


def _settings_view(settings: AttestationSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in SETTINGS_FIELDS}
