"""Side effects of journal writes (diary notifications ...), run only after commit.

Subscribers register a callable per event name; ``publish`` schedules each with
``transaction.on_commit`` so a rolled-back write never notifies anyone.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
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


def publish(event: str, **payload: Any) -> None:
    for handler in list(_subscribers[event]):
        transaction.on_commit(functools.partial(handler, **payload))
