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
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.base import ModelState


def fetch(sql: str, params: Sequence[Any] | dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any] | dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def columns(alias: str, names: Iterable[str]) -> str:
    """``alias."name", …`` (quoted: a column may be called ``order``)."""
    return ", ".join(f'{alias}."{name}"' for name in names)


def placeholders(values: Iterable[Any]) -> tuple[str, list[Any]]:
    """``IN (…)`` placeholders and their values; an empty list matches nothing but keeps
    the statement (a constant query count)."""
    values = list(values) or [-1]
    return ", ".join(["%s"] * len(values)), values


def named_placeholders(name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """The same for a statement with named parameters: ``%(name0)s, …`` and their values."""
    values = list(values) or [-1]
    keys = [f"{name}{i}" for i in range(len(values))]
    return ", ".join(f"%({key})s" for key in keys), dict(zip(keys, values, strict=True))


@functools.cache
def _check_columns(model, names: tuple[str, ...]) -> None:
    missing = set(names) - {f.attname for f in model._meta.concrete_fields}
    if missing:
        raise ValueError(f"{model.__name__} has no columns {sorted(missing)}")


def instance(model, names: tuple[str, ...], values: Sequence[Any]):
    """A model instance from a row, as ``Model.from_db`` builds it with the other fields
    deferred (read on first use) — without running ``__init__``: its per-field
    descriptors were a third of the journal grid's Python time. Nothing in the project
    listens to ``pre_init``/``post_init``."""
    _check_columns(model, names)
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    state = obj._state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    return obj


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
