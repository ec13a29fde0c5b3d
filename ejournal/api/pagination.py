"""Keyset pagination: ``?limit=`` and an opaque ``?cursor=`` from the previous page's
``next_cursor``. Pages never shift when rows are added, and each page costs the same
queries whatever its depth (no OFFSET)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from ejournal.api.errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# ("field", descending)
Key = Sequence[tuple[str, bool]]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def encode(values: list[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise ApiError(400, "bad_request", "Неверный курсор страницы: начните с первой страницы.")
    if not all(isinstance(v, str | int | float | bool) or v is None for v in values):
        raise ApiError(400, "bad_request", "Неверный курсор страницы: начните с первой страницы.")
    return values


def _after(key: Key, values: list[Any]) -> Q:
    """Rows strictly after ``values`` in the order ``key``."""
    parts = []
    for i, (field, descending) in enumerate(key):
        equal = {f: v for (f, _), v in zip(key[:i], values[:i], strict=True)}
        parts.append(Q(**equal, **{f"{field}__{'lt' if descending else 'gt'}": values[i]}))
    return reduce(or_, parts)


def paginate(
    qs: QuerySet,
    *,
    key: Key,
    cursor: str | None,
    limit: int,
    render: Callable[[Any], Any],
) -> dict[str, Any]:
    """One page of ``qs`` ordered by ``key`` (its last field must be unique, e.g. id)."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = qs.order_by(*[f"-{f}" if desc else f for f, desc in key])
    if cursor:
        qs = qs.filter(_after(key, decode(cursor, len(key))))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode([_value(last, f) for f, _ in key])
    return {"items": [render(r) for r in rows], "next_cursor": next_cursor}


def _value(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return getattr(obj, "pk", obj)


def paginate_list(
    rows: list[Any],
    *,
    key: Callable[[Any], tuple],
    descending: bool,
    cursor: str | None,
    limit: int,
    render: Callable[[Any], Any],
) -> dict[str, Any]:
    """The same pages over rows a selector already returns as a list (``key`` gives
    the order; its last value must be unique, e.g. the id)."""
    limit = max(1, min(limit, MAX_LIMIT))

    def plain_key(row) -> list[Any]:
        return [_plain(v) for v in key(row)]

    ordered = sorted(rows, key=plain_key, reverse=descending)
    if cursor and ordered:
        after = decode(cursor, len(plain_key(ordered[0])))
        ordered = [
            r for r in ordered if (plain_key(r) < after) == descending and plain_key(r) != after
        ]
    page = ordered[:limit]
    more = len(ordered) > limit
    return {
        "items": [render(r) for r in page],
        "next_cursor": encode(plain_key(page[-1])) if more else None,
    }
