"""What the deputy's writes share."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ejournal.attestation.permissions import DEPUTY, user_holds


def _ensure_deputy(actor, school) -> None:
    if not user_holds(actor, school, DEPUTY):
        raise ValidationError("Это действие выполняет заместитель директора.")
