"""Schedule pages. Views only parse, call one service or selector, and render.

Split by subject: timetable (bells, the timetable and its entries), lessons (a day, a
week, a lesson and its changes), substitutions; _common holds the helpers they share.
"""

from ejournal.schedule.views._common import (
    TEACHERS,
)
from ejournal.schedule.views.lessons import (
    day,
    extra_lesson,
    lesson,
    lesson_change,
    my_week,
)
from ejournal.schedule.views.substitutions import (
    substitute_day,
    substitution_cancel,
    substitutions,
)
from ejournal.schedule.views.timetable import (
    bell_day,
    bell_edit,
    bells,
    by_class,
    by_room,
    by_teacher,
    entry_edit,
    entry_end,
    entry_new,
    materialise,
    timetable,
)

__all__ = [
    "TEACHERS",
    "bell_day",
    "bell_edit",
    "bells",
    "by_class",
    "by_room",
    "by_teacher",
    "entry_edit",
    "entry_end",
    "entry_new",
    "materialise",
    "timetable",
    "day",
    "extra_lesson",
    "lesson",
    "lesson_change",
    "my_week",
    "substitute_day",
    "substitution_cancel",
    "substitutions",
]
