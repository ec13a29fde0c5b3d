"""Closing and reopening a study period."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ejournal.attestation import selectors
from ejournal.attestation.models import (
    PeriodClosure,
)
from ejournal.attestation.selectors import fmt
from ejournal.attestation.services._common import _ensure_deputy
from ejournal.audit import services as audit
from ejournal.school import selectors as school_selectors
from ejournal.school.models import StudyPeriod


def _closure_view(closure: PeriodClosure) -> dict[str, Any]:
    return {
        "period": closure.period_id,
        "is_closed": closure.is_closed,
        "closed_at": closure.closed_at,
        "reopened_at": closure.reopened_at,
        "reason": closure.reason,
    }


@transaction.atomic
def period_close(*, actor, period: StudyPeriod) -> PeriodClosure:
    """The deputy closes a period once its end and the grace days have passed."""
    school = period.band.year.school
    _ensure_deputy(actor, school)
    settings = selectors.settings_of(school)
    today = school_selectors.school_today(school)
    opens = selectors.closing_opens_on(period=period, settings=settings)
    if today < opens:
        raise ValidationError(
            f"Период «{period.name}» можно закрыть с {fmt(opens)}: после его окончания "
            f"({fmt(period.end)}) даётся {settings.closing_grace_days} дн. на выставление "
            "отметок."
        )
    closure = PeriodClosure.objects.select_for_update().filter(period=period).first()
    if closure is not None and closure.is_closed:
        raise ValidationError(f"Период «{period.name}» уже закрыт.")
    before = _closure_view(closure) if closure else None
    if closure is None:
        closure = PeriodClosure(period=period)
    closure.is_closed = True
    closure.closed_by = actor
    closure.closed_at = timezone.now()
    closure.save()
    audit.record(
        action="period.closed",
        actor=actor,
        school=school,
        obj=closure,
        before=before,
        after=_closure_view(closure),
    )
    return closure


@transaction.atomic
def period_reopen(*, actor, period: StudyPeriod, reason: str) -> PeriodClosure:
    """The deputy reopens a closed period; the reason is mandatory and audited."""
    school = period.band.year.school
    _ensure_deputy(actor, school)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError("Укажите причину повторного открытия периода.")
    if len(reason) > 1000:
        raise ValidationError("Причина — не длиннее 1000 символов.")
    closure = PeriodClosure.objects.select_for_update().filter(period=period).first()
    if closure is None or not closure.is_closed:
        raise ValidationError(f"Период «{period.name}» не закрыт.")
    before = _closure_view(closure)
    closure.is_closed = False
    closure.reopened_by = actor
    closure.reopened_at = timezone.now()
    closure.reason = reason
    closure.save()
    audit.record(
        action="period.reopened",
        actor=actor,
        school=school,
        obj=closure,
        before=before,
        after=_closure_view(closure),
        reason=reason,
    )
    return closure
