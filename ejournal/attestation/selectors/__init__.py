"""Reads for attestation: the entry sheet of a group × subject × period, the class
summary sheet, the objectivity list, and a student's summary for the diary.

Every function runs a fixed number of queries, whatever the size of the class.

Split by subject: closing (closed periods), targets (what a teacher or a class attests),
entry (the entry sheet and the objectivity list), summary (the class summary sheet),
student (a student's summary for the diary), control (the deputy's start-page block).
"""

from ejournal.attestation.selectors.closing import (
    CLOSED_RANGES_SQL,
    closed_ranges_for,
    closing_opens_on,
    closures_of_year,
)
from ejournal.attestation.selectors.control import (
    control_block,
    period_mark_corrections_for,
)
from ejournal.attestation.selectors.entry import (
    EntryRow,
    EntrySheet,
    _members,
    _period_marks,
    entry_sheet,
    marks_for_review,
)
from ejournal.attestation.selectors.student import (
    student_period_summary,
)
from ejournal.attestation.selectors.summary import (
    FAILING,
    Counts,
    SummarySheet,
    council_decision_of,
    summary_sheet,
)
from ejournal.attestation.selectors.targets import (
    Target,
    classes_with_targets,
    fmt,
    group_grade,
    target_for,
    teacher_loads,
)

# The school's attestation settings and rounding policy are the journal's; read here too.
from ejournal.journal.selectors import policy_of, settings_of

__all__ = [
    "policy_of",
    "settings_of",
    "CLOSED_RANGES_SQL",
    "closed_ranges_for",
    "closing_opens_on",
    "closures_of_year",
    "Target",
    "classes_with_targets",
    "fmt",
    "group_grade",
    "target_for",
    "teacher_loads",
    "EntryRow",
    "EntrySheet",
    "_members",
    "_period_marks",
    "entry_sheet",
    "marks_for_review",
    "Counts",
    "FAILING",
    "SummarySheet",
    "council_decision_of",
    "summary_sheet",
    "student_period_summary",
    "control_block",
    "period_mark_corrections_for",
]
