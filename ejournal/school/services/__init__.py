"""Writes to the school structure. Each function validates, saves and records its audit
event in one transaction; on bad input it raises ValidationError (in Russian) and
changes nothing.

Split by subject: year_calendar (years, bands, periods, holidays), classes (classes,
subjects, curriculum), groups (groups, membership, teaching load).
"""

from ejournal.school.services.classes import (
    curriculum_entry_create,
    curriculum_entry_delete,
    curriculum_entry_update,
    school_class_create,
    school_class_update,
    subject_create,
    subject_update,
)
from ejournal.school.services.groups import (
    group_membership_create,
    group_membership_delete,
    group_membership_update,
    study_group_create,
    study_group_update,
    teaching_load_create,
    teaching_load_delete,
    teaching_load_update,
)
from ejournal.school.services.year_calendar import (
    academic_year_create,
    academic_year_fill_defaults,
    academic_year_update,
    day_off_create,
    day_off_delete,
    day_off_update,
    grade_band_create,
    grade_band_update,
    study_period_create,
    study_period_delete,
    study_period_update,
)

__all__ = [
    "academic_year_create",
    "academic_year_update",
    "grade_band_create",
    "grade_band_update",
    "study_period_create",
    "study_period_update",
    "study_period_delete",
    "day_off_create",
    "day_off_update",
    "day_off_delete",
    "academic_year_fill_defaults",
    "school_class_create",
    "school_class_update",
    "subject_create",
    "subject_update",
    "curriculum_entry_create",
    "curriculum_entry_update",
    "curriculum_entry_delete",
    "study_group_create",
    "study_group_update",
    "group_membership_create",
    "group_membership_update",
    "group_membership_delete",
    "teaching_load_create",
    "teaching_load_update",
    "teaching_load_delete",
]
