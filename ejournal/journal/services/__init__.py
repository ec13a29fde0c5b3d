"""Writes to the class journal.

Every write checks who writes (only the lesson's actual teacher), the school's windows
(``rules``), that the student belongs to the group on the lesson's date, and the
version the teacher last saw (two people editing one cell never overwrite each other
silently). It runs in one transaction with its audit event; the apps above (the families'
notifications, tamper checks) hear of it on commit through ``core.registry``. Outside a
window the teacher files a correction request, which the deputy approves (applied here,
audited with the request) or rejects.

Split by subject: parsing (what a teacher types into a cell), marks, works (and work
types), attendance, lessons (the lesson's record and homework), correction_requests,
cells (a batch of grid cells); _common holds the errors, the batch and the checks every
write shares.
"""

from ejournal.journal.services._common import (
    ANY_VERSION,
    CellChange,
    CellError,
    JournalConflict,
    JournalRefusal,
    _closed,
)
from ejournal.journal.services.attendance import (
    _apply_attendance,
    attendance_set,
    attendance_set_reason,
    attendance_snapshot,
    attendance_verify_week,
)
from ejournal.journal.services.cells import (
    _cell_save,
    journal_cells_save,
)
from ejournal.journal.services.correction_requests import (
    _default_work_type,
    correction_request_apply,
    correction_request_create,
)
from ejournal.journal.services.lessons import (
    _apply_homework,
    _apply_record,
    homework_attach,
    homework_delete,
    homework_save,
    lesson_record_save,
)
from ejournal.journal.services.marks import (
    _apply_mark,
    mark_set,
    mark_snapshot,
)
from ejournal.journal.services.works import (
    DEFAULT_WORK_TYPE_NAME,
    work_create,
    work_delete,
    work_type_save,
    work_types_ensure_defaults,
    work_update,
)

__all__ = [
    "ANY_VERSION",
    "CellChange",
    "CellError",
    "JournalConflict",
    "JournalRefusal",
    "_closed",
    "_apply_mark",
    "mark_set",
    "mark_snapshot",
    "DEFAULT_WORK_TYPE_NAME",
    "work_create",
    "work_delete",
    "work_type_save",
    "work_types_ensure_defaults",
    "work_update",
    "_apply_attendance",
    "attendance_set",
    "attendance_set_reason",
    "attendance_snapshot",
    "attendance_verify_week",
    "_apply_homework",
    "_apply_record",
    "homework_attach",
    "homework_delete",
    "homework_save",
    "lesson_record_save",
    "_default_work_type",
    "correction_request_apply",
    "correction_request_create",
    "_cell_save",
    "journal_cells_save",
]
