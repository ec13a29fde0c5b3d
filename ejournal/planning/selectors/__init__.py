"""Reads of КТП: which plan a group follows, how many hours it should have, which plan
item a lesson covers, and programme fulfilment (выполнение программы).

Linking rule: the k-th documented lesson (held, with a topic) of a group and subject, in
date order, covers plan hour k; an item of ``hours`` h spans h consecutive lessons.

Every function runs a fixed number of queries whatever the size of the school.

Split by subject: plans (a course's plan, its items, the suggested topic of a lesson),
hours (the calendar, expected hours, a plan's validation), courses (the courses of a
scope and the plans to copy from), fulfilment (programme fulfilment).
"""

from ejournal.planning.selectors.courses import (
    CourseRow,
    copy_sources,
    course_rows,
    grade_plans,
    loads_in_scope,
)
from ejournal.planning.selectors.fulfilment import (
    CourseDetail,
    Fulfilment,
    FulfilmentTotals,
    fulfilment_detail,
    fulfilment_rows,
    fulfilment_totals,
)
from ejournal.planning.selectors.hours import (
    Calendar,
    Expected,
    GroupCheck,
    HourNorms,
    LessonCounts,
    PlanValidation,
    _fmt_hours,
    coverage,
    groups_following,
    lesson_counts,
    plan_validation,
)
from ejournal.planning.selectors.plans import (
    DOCUMENTED,
    LIVE_STATUSES,
    NO_TOPIC,
    _extra_lesson,
    documented_lessons,
    item_for_hour,
    items_of,
    plan_for_course,
    plan_with_items,
    plans_by_course,
    suggested_topic,
    suggested_topics,
)

__all__ = [
    "DOCUMENTED",
    "LIVE_STATUSES",
    "NO_TOPIC",
    "_extra_lesson",
    "documented_lessons",
    "item_for_hour",
    "items_of",
    "plan_for_course",
    "plan_with_items",
    "plans_by_course",
    "suggested_topic",
    "suggested_topics",
    "Calendar",
    "Expected",
    "GroupCheck",
    "HourNorms",
    "LessonCounts",
    "PlanValidation",
    "_fmt_hours",
    "coverage",
    "groups_following",
    "lesson_counts",
    "plan_validation",
    "CourseRow",
    "copy_sources",
    "course_rows",
    "grade_plans",
    "loads_in_scope",
    "CourseDetail",
    "Fulfilment",
    "FulfilmentTotals",
    "fulfilment_detail",
    "fulfilment_rows",
    "fulfilment_totals",
]
