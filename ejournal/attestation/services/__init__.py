"""Writes of attestation: period marks, period closing, council decisions, settings.

Each write validates (a Russian message on refusal), runs in one transaction with its
audit event, and changes nothing when any part is refused.

Split by subject: marks (period and year marks, and their corrections), closing (closing
and reopening a period), council (the teachers' council decisions), rules (the school's attestation
settings).
"""

from ejournal.attestation.services.closing import (
    period_close,
    period_reopen,
)
from ejournal.attestation.services.council import (
    council_decision_set,
)
from ejournal.attestation.services.marks import (
    INPUT_HELP,
    PeriodMarkConflict,
    PeriodMarkEntry,
    PeriodMarksRefused,
    _snapshot,
    parse_period_mark,
    period_mark_correction_apply,
    period_mark_correction_create,
    period_mark_set,
    period_marks_save,
)
from ejournal.attestation.services.rules import (
    SETTINGS_FIELDS,
    attestation_settings_update,
)

__all__ = [
    "INPUT_HELP",
    "PeriodMarkConflict",
    "PeriodMarkEntry",
    "PeriodMarksRefused",
    "_snapshot",
    "parse_period_mark",
    "period_mark_correction_apply",
    "period_mark_correction_create",
    "period_mark_set",
    "period_marks_save",
    "period_close",
    "period_reopen",
    "council_decision_set",
    "SETTINGS_FIELDS",
    "attestation_settings_update",
]
