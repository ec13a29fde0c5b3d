"""A guard on the private parts of Django that ``core.rawsql`` relies on. An upgrade of
Django (or psycopg) that changes one of them fails here, by name, instead of somewhere in
the diary or the journal grid."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django.apps import apps
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.base import DEFERRED, ModelState
from django.test.utils import CaptureQueriesContext

from ejournal.core import rawsql
from ejournal.school.models import School

pytestmark = pytest.mark.django_db


def test_wrapping_a_driver_cursor_is_a_private_method_taking_the_cursor():
    # rawsql._cursor wraps its own (preparing) driver cursor the way connection.cursor() does.
    assert list(inspect.signature(BaseDatabaseWrapper._prepare_cursor).parameters) == [
        "self",
        "cursor",
    ]
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as queries:
        with connection.wrap_database_errors:
            cursor = connection._prepare_cursor(connection.connection.cursor())
        with cursor:
            cursor.execute("SELECT 1", [])
            assert cursor.fetchall() == [(1,)]
    # Still Django's wrapper: the statement is logged (and counted by the query tests).
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]


def test_the_postgresql_backend_keeps_its_server_binding_cursor():
    pytest.importorskip("psycopg")
    from django.db.backends.postgresql.base import ServerBindingCursor

    parameters = inspect.signature(ServerBindingCursor.execute).parameters
    assert {"query", "params", "prepare", "binary"} <= set(parameters)
    assert parameters["prepare"].kind is inspect.Parameter.KEYWORD_ONLY
    # rawsql's subclass is built from it lazily, on PostgreSQL only.
    assert issubclass(rawsql._preparing_cursor_class(), ServerBindingCursor)


def test_an_instance_built_from_a_row_is_what_from_db_builds(world):
    school = world.school
    names = ("id", "short_name", "time_zone")
    values = (school.pk, school.short_name, school.time_zone)
    built = rawsql.instance(School, names, values)
    field_names = [f.attname for f in School._meta.concrete_fields]
    from_db = School.from_db(
        "default",
        field_names,
        [values[names.index(n)] if n in names else DEFERRED for n in field_names],
    )
    # The same attributes, the same deferred fields, the same state Django gives a row.
    assert set(built.__dict__) == set(from_db.__dict__)
    assert built.get_deferred_fields() == from_db.get_deferred_fields()
    assert isinstance(built._state, ModelState)
    assert (built._state.adding, built._state.db) == (from_db._state.adding, from_db._state.db)
    assert built._state.fields_cache == {}
    # A deferred field loads on first use, as on a queryset's instance.
    assert built.name == school.name


def test_no_model_listens_to_its_instances_being_built():
    # rawsql.instance skips Model.__init__, so pre_init / post_init would never fire.
    listening = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("ejournal.")
        and (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))
    ]
    assert listening == []


def test_datetimes_are_compared_as_the_backend_stores_them():
    moment = dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.UTC)
    stored = rawsql.datetime_param(moment)
    if connection.vendor == "sqlite":
        assert stored == "2026-11-25 07:30:00"
    else:
        assert stored == moment
