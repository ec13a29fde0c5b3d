"""The demo school «СОШ №1», built step by step by ``manage.py seed_demo``.

Each step is a function ``step(build: DemoBuild) -> None`` that reads what the earlier
steps left in ``build`` and adds its own rows (in bulk). Later parts of the product add
their demo data by appending a step to ``STEPS``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from ejournal.audit import services as audit
from ejournal.demo.builder import (
    curriculum,
    families,
    journal,
    logins,
    people,
    schedule,
    staffing,
    structure,
)
from ejournal.demo.builder.archive import create_archive_demo
from ejournal.demo.builder.context import SCHOOL_SHORT_NAME, DemoBuild, DemoOptions
from ejournal.demo.builder.messaging import create_messaging_demo
from ejournal.demo.builder.period_marks import create_period_marks
from ejournal.demo.builder.personal_data import create_people_demo
from ejournal.demo.builder.plans import create_plans
from ejournal.demo.builder.two_factor import create_demo_two_factor
from ejournal.school.models import School

Step = Callable[[DemoBuild], None]

STEPS: list[Step] = [
    structure.create_school,
    structure.create_calendar,
    curriculum.create_subjects_and_curriculum,
    structure.create_classes,
    structure.create_groups,
    people.create_administration,
    staffing.create_teachers_and_load,
    families.create_students_and_families,
    logins.create_demo_logins,
    schedule.create_schedule,
    journal.create_journal_records,
    create_plans,
    create_period_marks,
    create_archive_demo,
    create_messaging_demo,
    create_people_demo,
    create_demo_two_factor,
]

__all__ = ["STEPS", "DemoBuild", "DemoOptions", "demo_school", "seed_demo"]


def demo_school() -> School | None:
    return School.objects.filter(short_name=SCHOOL_SHORT_NAME).first()


@transaction.atomic
def seed_demo(
    *, options: DemoOptions, today: dt.date, on_step: Callable[[str], None] | None = None
) -> DemoBuild:
    """Build the whole demo school in one transaction and record ``demo.seeded``."""
    build = DemoBuild(options=options, today=today, rng=random.Random(options.seed))
    for step in STEPS:
        if on_step:
            on_step(step.__name__)
        step(build)
    assert build.school is not None
    audit.record(
        action="demo.seeded",
        school=build.school,
        obj=build.school,
        after={
            "year": str(build.year),
            "classes": len(build.classes),
            "students": len({s.pk for ss in build.students_by_class.values() for s in ss}),
            "staff": len(build.staff),
            "options": {
                "classes_per_grade": options.classes_per_grade,
                "students_per_class": options.students_per_class,
                "seed": options.seed,
            },
            "logins": build.facts.get("logins", {}),
        },
    )
    return build
