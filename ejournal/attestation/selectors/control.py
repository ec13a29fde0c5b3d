"""The deputy's view: pending period-mark corrections and the start-page block."""

from __future__ import annotations

from ejournal.attestation.permissions import OVERSEERS
from ejournal.school.http import AuthedRequest


def period_mark_corrections_for(ctx, user):
    """The deputy (and the director, reading) sees the school's requests; a teacher sees
    their own."""
    from ejournal.attestation.models import PeriodMarkCorrection

    requests = PeriodMarkCorrection.objects.filter(school=ctx.school).select_related(
        "group", "subject", "student", "requested_by", "decided_by"
    )
    if ctx.roles & OVERSEERS:
        return requests.order_by("status", "-requested_at")
    return requests.filter(requested_by=user).order_by("-requested_at")


def control_block(request: AuthedRequest, role: str) -> dict:
    """For the deputy's (and the director's) start page: period-mark corrections waiting
    for a decision."""
    from django.urls import reverse

    from ejournal.attestation.models import PeriodMarkCorrection

    if role not in OVERSEERS or request.ctx.school is None:
        return {}
    pending = PeriodMarkCorrection.objects.filter(
        school=request.ctx.school, status="pending"
    ).count()
    lines = (
        [
            (
                f"Запросы на исправление отметок за период: {pending}",
                reverse("attestation:corrections"),
            )
        ]
        if pending
        else []
    )
    return {"blocks": [{"title": "Аттестация", "lines": lines, "empty": "Запросов нет."}]}
