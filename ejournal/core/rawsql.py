"""Hand-written SELECTs for the pages families and teachers open at the peaks.

The ORM spends about a millisecond of Python building and compiling each statement and
more turning rows into model instances; on the diary week and the journal grid that was
most of the page (``bench/limit.py --profile``). Their selectors send plain SQL written
for both SQLite and PostgreSQL instead and build only what the page shows. Values come
back as the ORM would give them (``date``, ``Decimal``, parsed JSON) through the helpers
below, whichever database answered.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models.base import ModelState


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            # django-stubs declare Django's psycopg cursor without psycopg's methods.
            return super().execute(  # type: ignore[misc]
                query, params, prepare=prepare, binary=binary
            )

    return PreparingCursor


def _cursor():
    """Django's cursor; on PostgreSQL one that prepares its statements (``DB_PREPARE``):
    these few statements run thousands of times an hour, and once prepared the server
    neither parses nor plans them again on that connection (after five runs PostgreSQL
    settles on a generic plan: the diary week's lessons 2 ms → 0.45 ms). They still pass
    through Django's cursor wrapper (query logging, execute wrappers, error translation)."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARE:
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # A private Django API, so not in the stubs.
        cursor = _preparing_cursor_class()(connection.connection)
        return connection._prepare_cursor(cursor)  # type: ignore[attr-defined]


def fetch(sql: str, params: Sequence[Any] | dict[str, Any]) -> list[tuple]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any] | dict[str, Any]) -> None:
    with _cursor() as cursor:
        cursor.execute(sql, params)


def columns(alias: str, names: Iterable[str]) -> str:
    """``alias."name", …`` (quoted: a column may be called ``order``)."""
    return ", ".join(f'{alias}."{name}"' for name in names)


def in_list(values: Iterable[Any]) -> tuple[str, list[Any]]:
    """``IN (%s, …)`` and its values on SQLite; ``= ANY(%s)`` with one array on
    PostgreSQL, so that the statement's text (and its prepared plan) does not depend on
    the number of values. An empty list matches nothing but keeps the statement (a
    constant query count)."""
    values = list(values) or [-1]
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [values]
    return f"IN ({', '.join(['%s'] * len(values))})", values


def named_in_list(name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """The same for a statement with named parameters."""
    values = list(values) or [-1]
    if connection.vendor == "postgresql":
        return f"= ANY(%({name})s)", {name: values}
    keys = [f"{name}{i}" for i in range(len(values))]
    return f"IN ({', '.join(f'%({key})s' for key in keys)})", dict(zip(keys, values, strict=True))


@functools.cache
def _converters(model, names: tuple[str, ...]) -> tuple[tuple[str, Callable], ...]:
    """For the named columns: the conversions a queryset would make (decimals quantized,
    datetimes aware, booleans from SQLite's integers)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    missing = set(names) - set(fields)
    if missing:
        raise ValueError(f"{model.__name__} has no columns {sorted(missing)}")
    converters: list[tuple[str, Callable]] = []
    for name in names:
        field = fields[name]
        if isinstance(field, models.DecimalField):
            converters.append((name, functools.partial(to_decimal, places=field.decimal_places)))
        elif isinstance(field, models.DateTimeField):
            converters.append((name, to_datetime))
        elif isinstance(field, models.DateField):
            converters.append((name, to_date))
        elif isinstance(field, models.BooleanField):
            converters.append((name, to_bool))
    return tuple(converters)


def instance(model, names: tuple[str, ...], values: Sequence[Any]):
    """A model instance from a row, as ``Model.from_db`` builds it with the other fields
    deferred (read on first use) — without running ``__init__``: its per-field
    descriptors were a third of the journal grid's Python time. Nothing in the project
    listens to ``pre_init``/``post_init``."""
    obj = model.__new__(model)
    data = obj.__dict__
    data.update(zip(names, values, strict=True))
    for name, convert in _converters(model, names):
        data[name] = convert(data[name])
    state = obj._state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    return obj


def field_value(model, name: str, value):
    """One raw column's value, converted as the model's field would be."""
    for _name, convert in _converters(model, (name,)):
        return convert(value)
    return value


@functools.cache
def _row_sql(model, where: str) -> tuple[str, tuple[str, ...]]:
    names = tuple(f.attname for f in model._meta.concrete_fields)
    table = model._meta.db_table
    sql = f'SELECT {columns("t", names)} FROM "{table}" t WHERE {where} ORDER BY t.id LIMIT 1'  # noqa: S608 - names from the model, a fixed condition
    return sql, names


def first(model, where: str, params: Sequence[Any]):
    """The first row (by id) of the model's table matching ``where`` (a fixed condition
    on the alias ``t`` with placeholders), as an instance with every field, or None."""
    sql, names = _row_sql(model, where)
    rows = fetch(sql, params)
    return instance(model, names, rows[0]) if rows else None


def to_bool(value) -> bool | None:
    return value if value is None else bool(value)


def to_date(value) -> dt.date | None:
    """A date from a column SQLite returns as text (a computed or subquery column)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def to_datetime(value) -> dt.datetime | None:
    """An aware datetime (SQLite returns the stored UTC time without its zone)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None and settings.USE_TZ:
        value = value.replace(tzinfo=dt.UTC)
    return value


def datetime_param(value: dt.datetime):
    """A datetime as the database compares it (SQLite: the stored UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def to_decimal(value, places: int) -> Decimal | None:
    """A decimal column, quantized as the ORM's field would be (SQLite stores numbers)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def to_json(value):
    """A JSON column: the ORM's text, or an already parsed value."""
    if value is None or not isinstance(value, str | bytes):
        return value
    return json.loads(value)
