"""The teachers' council decisions (transfer, repeat, conditional transfer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import Student
from ejournal.attestation.models import (
    CouncilDecision,
    CouncilDecisionKind,
)
from ejournal.attestation.services._common import _ensure_deputy
from ejournal.audit import services as audit
from ejournal.school import selectors as school_selectors
from ejournal.school.models import ClassEnrollment, SchoolClass


def default_decision_text(kind: str, grade: int) -> str:
    if kind == CouncilDecisionKind.TRANSFERRED:
        return f"переведён в {grade + 1} класс"
    if kind == CouncilDecisionKind.CONDITIONAL:
        return f"условно переведён в {grade + 1} класс"
    if kind == CouncilDecisionKind.REPEAT:
        return "оставлен на повторное обучение"
    if kind == CouncilDecisionKind.GRADUATED:
        return "окончил обучение"
    return ""


@transaction.atomic
def council_decision_set(
    *,
    actor,
    school_class: SchoolClass,
    student: Student,
    kind: str,
    date: dt.date,
    protocol_number: str,
    text: str = "",
) -> CouncilDecision:
    """The deputy records the pedagogical council's decision for a student of the class."""
    school = school_class.school
    _ensure_deputy(actor, school)
    year = school_class.year
    if kind not in CouncilDecisionKind.values:
        raise ValidationError("Выберите решение педагогического совета из списка.")
    enrolled = ClassEnrollment.objects.filter(
        school_selectors.overlapping(year.start, year.end),
        school_class=school_class,
        student=student,
    ).exists()
    if not enrolled:
        raise ValidationError(f"{student.short_name} не учится в классе {school_class}.")
    protocol_number = (protocol_number or "").strip()
    if not protocol_number:
        raise ValidationError("Укажите номер протокола педагогического совета.")
    if len(protocol_number) > 20:
        raise ValidationError("Номер протокола — не длиннее 20 символов.")
    if date is None:
        raise ValidationError("Укажите дату протокола.")
    if date > school_selectors.school_today(school) or date < year.start:
        raise ValidationError(
            "Дата протокола должна быть в пределах учебного года и не позже сегодняшней."
        )
    text = (text or "").strip() or default_decision_text(kind, school_class.grade)
    if not text:
        raise ValidationError("Укажите формулировку решения.")
    if len(text) > 300:
        raise ValidationError("Формулировка — не длиннее 300 символов.")
    decision = (
        CouncilDecision.objects.select_for_update().filter(student=student, year=year).first()
    )
    before = _decision_view(decision) if decision else None
    wanted = {
        "student": student.pk,
        "class": school_class.pk,
        "kind": kind,
        "text": text,
        "date": date,
        "protocol_number": protocol_number,
    }
    if decision is not None and before == wanted:
        return decision  # posted back unchanged: nothing to write
    if decision is None:
        decision = CouncilDecision(school=school, year=year, student=student)
    decision.school_class = school_class
    decision.kind = kind
    decision.text = text
    decision.date = date
    decision.protocol_number = protocol_number
    decision.recorded_by = actor
    decision.save()
    audit.record(
        action="council_decision.updated" if before else "council_decision.created",
        actor=actor,
        school=school,
        obj=decision,
        before=before,
        after=_decision_view(decision),
    )
    return decision


def _decision_view(decision: CouncilDecision) -> dict[str, Any]:
    return {
        "student": decision.student_id,
        "class": decision.school_class_id,
        "kind": decision.kind,
        "text": decision.text,
        "date": decision.date,
        "protocol_number": decision.protocol_number,
    }
