"""Journal pages: the lists of journals, the grid, the lesson page (also the phone view),
correction requests, the homeroom teacher's attendance week and the work types.

Views only translate: read through ``permissions``/``selectors`` (404 for anything the
user may not see), write through one ``services`` call, render or answer JSON.
"""

from ejournal.journal.views.attendance import (
    attendance_classes,
    attendance_reason,
    attendance_verify,
    attendance_week,
)
from ejournal.journal.views.corrections import (
    correction_approve,
    correction_create,
    correction_reject,
    corrections,
)
from ejournal.journal.views.grid import cells_save, grid, index
from ejournal.journal.views.lesson import (
    attachment_download,
    homework_attach,
    homework_create,
    homework_delete,
    homework_edit,
    lesson_page,
    lesson_record_save,
    work_create,
    work_delete,
    work_edit,
)
from ejournal.journal.views.work_types import work_type_edit, work_types

__all__ = [
    "attachment_download",
    "attendance_classes",
    "attendance_reason",
    "attendance_verify",
    "attendance_week",
    "cells_save",
    "correction_approve",
    "correction_create",
    "correction_reject",
    "corrections",
    "grid",
    "homework_attach",
    "homework_create",
    "homework_delete",
    "homework_edit",
    "index",
    "lesson_page",
    "lesson_record_save",
    "work_create",
    "work_delete",
    "work_edit",
    "work_type_edit",
    "work_types",
]
