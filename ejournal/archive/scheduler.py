"""When the scheduled backup is due (EJOURNAL_BACKUP_SCHEDULE, EJOURNAL_BACKUP_TIME).
Pure functions, as in notifications.scheduler, so the timing is testable."""

from __future__ import annotations

import datetime as dt

WEEKLY_WEEKDAY = 6  # Sunday


def backup_due(*, now: dt.datetime, schedule: str, at: dt.time, last: str | None) -> bool:
    """``last``: the ISO date of the last scheduled backup."""
    if schedule not in ("daily", "weekly") or now.time() < at:
        return False
    if schedule == "weekly" and now.weekday() != WEEKLY_WEEKDAY:
        return False
    return last != now.date().isoformat()
