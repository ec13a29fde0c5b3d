import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ejournal.schedule.models import Lesson
from ejournal.schedule.tests import helpers

pytestmark = pytest.mark.django_db


def test_command_materialises_and_is_idempotent(world, bells):
    helpers.entry(world, weekday=1, number=1)
    out = StringIO()
    call_command("materialise_lessons", "СОШ №1", "2026-09-01", "2026-09-30", stdout=out)
    assert "Создано уроков: 4" in out.getvalue()
    call_command("materialise_lessons", "СОШ №1", "2026-09-01", "2026-09-30", stdout=out)
    assert Lesson.objects.filter(date__month=9).count() == 4
    assert Lesson.objects.first().date == dt.date(2026, 9, 7)


def test_command_refuses_unknown_school(world):
    with pytest.raises(CommandError, match="не найдена"):
        call_command("materialise_lessons", "Нет такой", "2026-09-01", "2026-09-30")
