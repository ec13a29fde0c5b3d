"""API test helpers: tokens for the role world, clients that send them, a lesson of 5А."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from ejournal.accounts.models import Role
from ejournal.api import services
from ejournal.journal import services as journal_services
from ejournal.journal.models import WorkType
from ejournal.schedule.models import TimetableEntry
from ejournal.testing import factories as f

LESSON_DAY = dt.date(2026, 11, 16)


def at(when: str):
    """Freeze the clock at a Moscow time, e.g. at("2026-11-16 10:00")."""
    return time_machine.travel(f"{when} +0300", tick=False)


class Api:
    """Tokens and clients for the role world."""

    def __init__(self, world):
        self.w = world

    def token(self, role: str, *, write: bool = False, days: int = 30) -> str:
        user = self.w.users[role]
        _, raw = services.token_issue(
            user=user, actor=user, name="тест", scope="write" if write else "read", days=days
        )
        return raw

    def client(self, role: str, *, write: bool = False) -> Client:
        if role == "anonymous":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.token(role, write=write)}")


@pytest.fixture
def api(world):
    return Api(world)


class Journal:
    """5А mathematics: a lesson on 16.11.2026 taught by «teacher», the default work types,
    and «other_teacher» who teaches 6Б its own lesson."""

    def __init__(self, world):
        self.w = world
        self.teacher = world.staff["teacher"]
        journal_services.work_types_ensure_defaults(school=world.school)
        self.types = {wt.name: wt for wt in WorkType.objects.filter(school=world.school)}
        self.lesson = f.make_lesson(world.group, world.subject, self.teacher, LESSON_DAY)
        TimetableEntry.objects.create(
            school=world.school,
            weekday=1,
            number=1,
            group=world.group,
            subject=world.subject,
            teacher=self.teacher,
            room="12",
            valid_from=dt.date(2026, 9, 1),
        )
        other_user = f.UserFactory(username="other_teacher")
        self.other_teacher = f.StaffFactory(school=world.school, user=other_user)
        f.grant(other_user, Role.TEACHER, world.school)
        world.users["other_teacher"] = other_user
        other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
        f.load(other_group, world.subject, self.other_teacher)
        self.other_lesson = f.make_lesson(
            other_group, world.subject, self.other_teacher, LESSON_DAY, number=2
        )


@pytest.fixture
def journal(world):
    return Journal(world)
