"""Settings of the archive and backups, read from the environment here (not in
config/settings.py) so the app stays self-contained. Each can be overridden in Django
settings under the same name for tests.

- EJOURNAL_BACKUP_DIR: where backup archives are written (default: <data dir>/backups).
- EJOURNAL_BACKUP_SCHEDULE: «daily» or «weekly» enables the scheduled backup run by
  ``manage.py run_backup_scheduler``; empty (default) disables it.
- EJOURNAL_BACKUP_TIME: local time of the scheduled backup, HH:MM (default 02:00).
- EJOURNAL_RETENTION_JOURNAL_YEARS: years a journal copy is kept (default 5).
- EJOURNAL_RETENTION_SUMMARY_YEARS: years a summary sheet is kept (default 25).
- EJOURNAL_RETENTION_BACKUP_YEARS: years a backup is kept (default 5, as the journals).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is not None:
        return str(value)
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    try:
        return int(_get(name, str(default)))
    except ValueError:
        return default


def backup_dir() -> Path:
    return Path(_get("EJOURNAL_BACKUP_DIR", str(settings.DATA_DIR / "backups"))).resolve()


def backup_schedule() -> str:
    value = _get("EJOURNAL_BACKUP_SCHEDULE", "").lower()
    return value if value in ("daily", "weekly") else ""


def backup_time() -> dt.time:
    try:
        return dt.time.fromisoformat(_get("EJOURNAL_BACKUP_TIME", "02:00"))
    except ValueError:
        return dt.time(2, 0)


def retention_years(kind: str) -> int:
    """Years to keep: «journal», «summary» or «backup»."""
    defaults = {"journal": 5, "summary": 25, "backup": 5}
    return _int(f"EJOURNAL_RETENTION_{kind.upper()}_YEARS", defaults[kind])


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
