"""Side effects of journal writes (diary notifications ...), run only after commit.

Subscribers register a callable per event name; ``publish`` schedules each with
``transaction.on_commit`` so a rolled-back write never notifies anyone.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction

_subscribers: dict[str, list[Callable[..., Any]]] = defaultdict(list)

MARK_CHANGED = "journal.mark_changed"
ATTENDANCE_CHANGED = "journal.attendance_changed"
HOMEWORK_CHANGED = "journal.homework_changed"
CORRECTION_DECIDED = "journal.correction_decided"


def subscribe(event: str, handler: Callable[..., Any]) -> None:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def unsubscribe(event: str, handler: Callable[..., Any]) -> None:
    if handler in _subscribers[event]:
        _subscribers[event].remove(handler)


# Events published inside ``batch()``: (event, payload) in order.
_batch: contextvars.ContextVar[list[tuple[str, dict]] | None] = contextvars.ContextVar(
    "journal_events_batch", default=None
)


def publish(event: str, **payload: Any) -> None:
    pending = _batch.get()
    if pending is not None:
        pending.append((event, payload))
        return
    for handler in list(_subscribers[event]):
        transaction.on_commit(functools.partial(handler, **payload))


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Collect the events of one save of many cells: a handler with a ``many`` attribute
    gets them in one call (one queued task instead of one per mark), others one by one.
    Still scheduled on commit, so a rolled-back batch notifies nobody."""
    if _batch.get() is not None:  # already collecting: the outer batch publishes
        yield
        return
    pending: list[tuple[str, dict]] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    by_event: dict[str, list[dict]] = defaultdict(list)
    for event, payload in pending:
        by_event[event].append(payload)
    for event, payloads in by_event.items():
        for handler in list(_subscribers[event]):
            many = getattr(handler, "many", None)
            if many is not None:
                transaction.on_commit(functools.partial(many, payloads))
            else:
                for payload in payloads:
                    transaction.on_commit(functools.partial(handler, **payload))
