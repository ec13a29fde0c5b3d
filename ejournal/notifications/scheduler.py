"""When the periodic notification jobs are due: retries every few minutes, the daily
digest each evening, the weekly one on Sunday evening. Pure functions, so the loop in
``manage.py run_scheduler`` stays trivial and the timing is testable."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

DIGEST_TIME = dt.time(19, 0)
WEEKLY_WEEKDAY = 6  # Sunday
RETRY_EVERY = dt.timedelta(minutes=5)
# The audit chains' heads are written down outside the database this often.
CHECKPOINT_EVERY = dt.timedelta(hours=1)
# Jobs that keep the time they last ran (the others keep the date).
TIMED_JOBS = ("retry", "audit_checkpoint")


def due_jobs(*, now: dt.datetime, last: dict[str, str]) -> list[str]:
    """Jobs to run at ``now`` (local time) given the ISO dates/times they last ran."""
    jobs = []
    last_retry = last.get("retry")
    if last_retry is None or now - dt.datetime.fromisoformat(last_retry) >= RETRY_EVERY:
        jobs.append("retry")
    last_checkpoint = last.get("audit_checkpoint")
    if (
        last_checkpoint is None
        or now - dt.datetime.fromisoformat(last_checkpoint) >= CHECKPOINT_EVERY
    ):
        jobs.append("audit_checkpoint")
    if now.time() >= DIGEST_TIME:
        today = now.date().isoformat()
        if last.get("daily") != today:
            jobs.append("daily")
        if now.weekday() == WEEKLY_WEEKDAY and last.get("weekly") != today:
            jobs.append("weekly")
    return jobs


def mark_done(last: dict[str, str], jobs: list[str], now: dt.datetime) -> dict[str, str]:
    updated = dict(last)
    for job in jobs:
        updated[job] = now.isoformat() if job in TIMED_JOBS else now.date().isoformat()
    return updated


def load_state(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def save_state(path: Path, state: dict[str, str]) -> None:
    path.write_text(json.dumps(state))
