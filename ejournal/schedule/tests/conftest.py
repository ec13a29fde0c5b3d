import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from ejournal.accounts.models import Role
from ejournal.core import registry
from ejournal.schedule.tests import helpers
from ejournal.testing.registry import providers_set


@pytest.fixture
def bells(world):
    return helpers.bells(world.school)


@pytest.fixture
def frozen_today():
    """2026-10-01 (a Thursday), mid-morning in Moscow."""
    with time_machine.travel(dt.datetime(2026, 10, 1, 7, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2026, 10, 1)


@pytest.fixture
def journal_data(monkeypatch):
    """Stands in for the journal app: lesson ids put in the returned set "have marks"."""
    marked: set[int] = set()

    def check(lesson_ids):
        return {i for i in lesson_ids if i in marked}

    providers_set(monkeypatch, registry.LESSONS_WITH_JOURNAL_DATA, check, keep=True)
    return marked


def teacher_ctx(world, staff):
    return SimpleNamespace(school=world.school, staff=staff, roles=frozenset({Role.TEACHER}))
