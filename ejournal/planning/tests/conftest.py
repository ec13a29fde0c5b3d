import datetime as dt

import pytest

from ejournal.journal.models import LessonRecord
from ejournal.planning import services
from ejournal.planning.models import PlanItemKind
from ejournal.schedule.models import LessonStatus
from ejournal.testing import factories as f
from ejournal.testing.world import WORLD_ROLES

ALL_ROLES = [*WORLD_ROLES, "anonymous"]


def expected_status(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 404


class PlanningWorld:
    """The role world: «teacher» teaches 5А mathematics; «homeroom» is another teacher
    (homeroom of 5А) with no load in mathematics."""

    def __init__(self, world):
        self.w = world
        self.teacher = world.staff["teacher"]
        self.group = world.group
        self.subject = world.subject
        self.year = world.year

    def plan(self, items=(), group=None, grade=None, subject=None, owner=None, year=None):
        plan = services.thematic_plan_create(
            actor=None,
            year=year or self.year,
            subject=subject or self.subject,
            group=None if grade else (group or self.group),
            grade=grade,
            owner=owner or self.teacher,
        )
        for item in items:
            services.plan_item_add(actor=None, plan=plan, **item)
        return plan

    def lesson(self, day, number=1, group=None, subject=None, **extra):
        return f.make_lesson(
            group or self.group, subject or self.subject, self.teacher, day, number, **extra
        )

    def document(self, lesson, topic="Тема урока"):
        LessonRecord.objects.create(lesson=lesson, topic=topic)
        lesson.status = LessonStatus.HELD
        lesson.save(update_fields=["status"])
        return lesson


def item(topic, hours=1, kind=PlanItemKind.LESSON, section="", planned_date=None):
    return {
        "topic": topic,
        "hours": hours,
        "kind": kind,
        "section": section,
        "planned_date": planned_date,
    }


@pytest.fixture
def pw(world):
    return PlanningWorld(world)


def weekdays(start: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days
