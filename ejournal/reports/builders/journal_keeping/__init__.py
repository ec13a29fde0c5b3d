"""Report 11, «Заполнение журнала» (002 §4.2, SPEC §9): how teachers keep the journal
over a week or a month, per teacher and per class.

Per course (group × subject × teacher of the lessons):
- lessons held in the range (past, not cancelled) and of them without a topic, without
  homework, and without attendance (the lesson was never confirmed — no topic saved, so
  it is still «запланирован» — and it has no attendance entry);
- marks, marks entered after their window (R3.7, ``journal.rules``; marks entered through
  an approved correction request are not late), and the marks density: marks per student
  per lesson;
- students with fewer marks than attestation needs (by the weekly hours of the load) in
  the period that contains the end of the range;
- period marks entered in the range and of them those the objectivity control flagged
  (more than one step from the average);
- correction requests still waiting for the deputy.

Eleven queries for any school size; the weekly summary on a teacher's start page is the
same computation for the teacher's last seven days.

Split: figures (counting, per course), sheet (the report's table, its registration and the
deputy's start-page block).
"""

from ejournal.reports.builders.journal_keeping.figures import (
    LIVE,
    Course,
    Keeping,
    KeepingReport,
    _corrections,
    _marks,
    _period_marks,
    group_members,
    journal_keeping,
)
from ejournal.reports.builders.journal_keeping.sheet import (
    FIGURE_COLUMNS,
    REPORT,
    _cells,
    _columns,
    _fmt,
    build,
    start_page_block,
)

__all__ = [
    "Course",
    "Keeping",
    "KeepingReport",
    "LIVE",
    "_corrections",
    "_marks",
    "_period_marks",
    "group_members",
    "journal_keeping",
    "FIGURE_COLUMNS",
    "REPORT",
    "_cells",
    "_columns",
    "_fmt",
    "build",
    "start_page_block",
]
