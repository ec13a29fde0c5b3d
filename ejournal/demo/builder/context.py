"""The state a demo build carries from one step to the next."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ejournal.accounts.models import Guardian, StaffMember, Student
from ejournal.school.models import AcademicYear, School, SchoolClass, StudyGroup, Subject

SCHOOL_SHORT_NAME = "СОШ №1"
DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoOptions:
    classes_per_grade: int = 2
    students_per_class: int = 25
    seed: int = 1
    # The region benchmark builds many schools: «СОШ №<n>», demo logins "<prefix>teacher".
    school_number: int = 1
    login_prefix: str = ""
    # A backup of the whole database once the school is committed (the region benchmark
    # builds many schools and leaves that to the backup schedule).
    backup: bool = True


@dataclass
class DemoBuild:
    """Filled in step by step; later steps read what earlier ones made."""

    options: DemoOptions
    today: dt.date
    rng: random.Random
    school: School | None = None
    year: AcademicYear | None = None
    # Key dates of the year (first day of each period, holidays) for later steps.
    dates: dict[str, dt.date] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    # grade -> subject name -> weekly hours
    curriculum: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    classes: list[SchoolClass] = field(default_factory=list)
    whole_groups: dict[int, StudyGroup] = field(default_factory=dict)
    # (class id, subject name) -> [group 1, group 2]
    subgroups: dict[tuple[int, str], list[StudyGroup]] = field(default_factory=dict)
    staff: list[StaffMember] = field(default_factory=list)
    teachers: list[StaffMember] = field(default_factory=list)
    students_by_class: dict[int, list[Student]] = field(default_factory=dict)
    guardians: list[Guardian] = field(default_factory=list)
    # login -> the profile (StaffMember / Student / Guardian) that login signs in as
    demo_profiles: dict[str, Any] = field(default_factory=dict)
    # Free-form facts steps leave for the summary and for later steps.
    facts: dict[str, Any] = field(default_factory=dict)

    def class_named(self, name: str) -> SchoolClass | None:
        return next((c for c in self.classes if str(c) == name), None)

    @property
    def letters(self) -> list[str]:
        return ["А", "Б", "В", "Г", "Д"][: self.options.classes_per_grade]
