"""Writes of the schedule: bell schedules, timetable entries, lesson materialisation,
dated schedule changes and substitutions. Every function validates, runs in one
transaction and records its audit event in it.

Split by subject: bells, timetable (entries), materialise (lessons from the timetable),
changes (cancel, move, room, extra lesson), substitutions; _common holds the labels and
checks they share.
"""

from ejournal.schedule.services.bells import (
    bell_day_set,
    bell_schedule_save,
)
from ejournal.schedule.services.changes import (
    schedule_change_cancel,
    schedule_change_extra,
    schedule_change_move,
    schedule_change_room,
)
from ejournal.schedule.services.materialise import (
    lessons_materialise,
    materialise_after_edit,
)
from ejournal.schedule.services.substitutions import (
    substitution_assign,
    substitution_cancel,
    substitutions_assign_day,
)
from ejournal.schedule.services.timetable import (
    timetable_entry_create,
    timetable_entry_end,
    timetable_entry_update,
)

__all__ = [
    "bell_day_set",
    "bell_schedule_save",
    "timetable_entry_create",
    "timetable_entry_end",
    "timetable_entry_update",
    "lessons_materialise",
    "materialise_after_edit",
    "schedule_change_cancel",
    "schedule_change_extra",
    "schedule_change_move",
    "schedule_change_room",
    "substitution_assign",
    "substitution_cancel",
    "substitutions_assign_day",
]
