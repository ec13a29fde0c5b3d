"""What the archive's writes share: who may archive, print and keep the register; hashes."""

from __future__ import annotations

import hashlib
import json
import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from ejournal.accounts.models import Role
from ejournal.archive.models import (
    UsageEntry,
)
from ejournal.attestation.permissions import user_holds

logger = logging.getLogger(__name__)


ARCHIVISTS = frozenset({Role.DEPUTY})


PRINTERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})


# 001 §3.3: the HR specialist keeps the register of paper and backup copies and the log of
# their use. Backups themselves hold every school of the deployment: only its administrator
# takes and checks them (backups.is_deployment_admin); a school exports its own data
# (school_export.py).
REGISTER_KEEPERS = PRINTERS | {Role.HR, Role.OPERATOR}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)


def _ensure(actor, school, roles, what: str) -> None:
    if not user_holds(actor, school, roles):
        raise ValidationError(f"Недостаточно прав: {what}.")


def _name_of(user) -> str:
    return (user.get_full_name() or user.username)[:200]


def _log_use(*, actor, school, kind: str, item: str, taken_by: str, purpose: str, **links):
    """One line of the usage log (001 §3.3); call inside the write's transaction."""
    return UsageEntry.objects.create(
        school=school,
        kind=kind,
        item=item[:300],
        taken_by=taken_by[:200],
        purpose=purpose[:500],
        recorded_by=actor,
        recorded_at=timezone.now(),
        **links,
    )
