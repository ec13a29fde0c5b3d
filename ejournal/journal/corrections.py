"""One lifecycle for every correction request: the deputy decides it once.

A correction request (``models.Correction``) changes a record whose window has closed: a
journal record (``models.CorrectionRequest``) or a period mark
(``attestation.models.PeriodMarkCorrection``). Filing one is kind-specific; deciding it is
not, and lives here so both kinds keep the same rules:

- only the school's deputy decides (``permissions.CORRECTION_DECIDERS``), never on their own
  request;
- a request is decided once; a rejection says why;
- the approval applies the change in the same transaction (the kind's ``apply``), audited
  with «Исправление по запросу №N: <reason>»;
- the decision is audited as «<audit_prefix>.approved» / «.rejected»;
- the requester is told after commit (``registry.CORRECTIONS_DECIDED``).
"""

from __future__ import annotations

import functools
from typing import Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.journal.models import Correction, CorrectionStatus
from ejournal.journal.permissions import may_decide_corrections

C = TypeVar("C", bound=Correction)
C_contra = TypeVar("C_contra", bound=Correction, contravariant=True)


class ApplyCorrection(Protocol[C_contra]):
    """Makes the change an approved request asks for (each kind has one)."""

    def __call__(self, correction: C_contra, /, *, actor) -> None: ...


DECISIONS = (CorrectionStatus.APPROVED, CorrectionStatus.REJECTED)


def correction_reason(correction: Correction) -> str:
    """The reason an approved change carries in its own audit event."""
    return f"Исправление по запросу №{correction.pk}: {correction.reason}"


@transaction.atomic
def correction_decide(
    *,
    actor,
    correction: C,
    status: str,
    comment: str = "",
    apply: ApplyCorrection[C],
) -> C:
    """Approve (``status`` «approved», then ``apply`` makes the change) or reject a request.

    ``apply`` receives the locked request and raises ``ValidationError`` when the change
    cannot be made any more; then nothing is decided. Both views call this, with their
    kind's ``apply``.
    """
    if status not in DECISIONS:
        raise ValidationError("Выберите решение: одобрить или отклонить.")
    if not may_decide_corrections(actor, correction.school_id):
        raise ValidationError("Запрос на исправление рассматривает заместитель директора.")
    comment = (comment or "").strip()
    if status == CorrectionStatus.REJECTED and not comment:
        raise ValidationError("Укажите, почему запрос отклонён.")
    req = type(correction)._default_manager.select_for_update().get(pk=correction.pk)
    if req.status != CorrectionStatus.PENDING:
        raise ValidationError("Запрос уже рассмотрен.")
    if req.requested_by_id == actor.pk:
        raise ValidationError(
            "Свой запрос на исправление рассматривает другой заместитель директора."
        )
    if status == CorrectionStatus.APPROVED:
        apply(req, actor=actor)
    req.status = status
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_comment = comment
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit.record(
        action=f"{req.audit_prefix}.{status}",
        actor=actor,
        school=req.school_id,
        obj=req,
        before={"status": CorrectionStatus.PENDING},
        after={"status": status, "comment": comment},
    )
    decision = registry.CorrectionDecision(
        school_id=req.school_id,
        correction=req._meta.label_lower,
        correction_id=req.pk,
        status=status,
        requested_by_id=req.requested_by_id,
    )
    for listener in registry.CORRECTIONS_DECIDED.providers():
        transaction.on_commit(functools.partial(listener, [decision]))
    return req
