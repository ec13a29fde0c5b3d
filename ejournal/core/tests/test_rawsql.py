"""The hand-written statements of the busiest pages: the same values as the ORM's on
either database, and prepared on PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from ejournal.core import rawsql
from ejournal.diary.selectors import family_students
from ejournal.journal.models import WorkType
from ejournal.messaging.models import EventKind, SchoolEvent

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def test_instances_carry_the_orms_values(world):
    event = SchoolEvent.objects.create(
        school=world.school,
        kind=EventKind.OLYMPIAD,
        title="Олимпиада",
        starts_at=dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.UTC),
    )
    work_type = WorkType.objects.create(
        school=world.school, name="Проект", short_name="Пр", category="oral", weight=Decimal("1.5")
    )
    [event_row] = rawsql.fetch('SELECT id, starts_at, created_at FROM "messaging_schoolevent"', [])
    built = rawsql.instance(SchoolEvent, ("id", "starts_at", "created_at"), event_row)
    assert built == event and built.starts_at == event.starts_at
    assert built.starts_at.utcoffset() == dt.timedelta(0)
    sql, params = rawsql.in_list([work_type.pk])
    [type_row] = rawsql.fetch(
        f"SELECT id, weight, is_active FROM journal_worktype WHERE id {sql}",
        params,  # noqa: S608
    )
    built_type = rawsql.instance(WorkType, ("id", "weight", "is_active"), type_row)
    assert built_type.weight == Decimal("1.5") and str(built_type.weight) == "1.5"
    assert built_type.is_active is True
    # Fields not read are deferred, loaded on first use like the ORM's.
    assert built_type.get_deferred_fields() >= {"name", "short_name"}
    assert built_type.name == "Проект"


def test_an_empty_list_matches_nothing(world):
    sql, params = rawsql.in_list([])
    assert rawsql.fetch(f"SELECT id FROM accounts_student WHERE id {sql}", params) == []  # noqa: S608


def test_unknown_columns_are_refused():
    with pytest.raises(ValueError, match="no columns"):
        rawsql.instance(WorkType, ("id", "colour"), (1, "red"))


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@postgresql_only
def test_hand_written_statements_are_prepared_on_postgresql(world):
    parent = world.users["parent"]
    assert [s.pk for s in family_students(parent)] == [world.child.pk]
    assert [s.pk for s in family_students(parent)] == [world.child.pk]
    assert any("accounts_studentguardian" in statement for statement in _prepared())


@postgresql_only
def test_db_prepare_off_sends_them_unprepared(world, settings):
    settings.DB_PREPARE = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    family_students(world.users["parent"])
    assert not any("accounts_studentguardian" in statement for statement in _prepared())
