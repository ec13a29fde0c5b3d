"""The scheduled backup: off unless EJOURNAL_BACKUP_SCHEDULE is set; once a day or week."""

import datetime as dt

from ejournal.archive import conf
from ejournal.archive.scheduler import backup_due

AT = dt.time(2, 0)


def test_disabled_schedule_never_runs():
    now = dt.datetime(2026, 11, 24, 3, 0)
    assert not backup_due(now=now, schedule="", at=AT, last=None)


def test_daily_backup_runs_once_after_its_time():
    assert not backup_due(now=dt.datetime(2026, 11, 24, 1, 59), schedule="daily", at=AT, last=None)
    assert backup_due(now=dt.datetime(2026, 11, 24, 2, 0), schedule="daily", at=AT, last=None)
    assert not backup_due(
        now=dt.datetime(2026, 11, 24, 5, 0), schedule="daily", at=AT, last="2026-11-24"
    )
    assert backup_due(
        now=dt.datetime(2026, 11, 25, 2, 1), schedule="daily", at=AT, last="2026-11-24"
    )


def test_weekly_backup_runs_on_sunday():
    monday = dt.datetime(2026, 11, 23, 3, 0)
    sunday = dt.datetime(2026, 11, 29, 3, 0)
    assert not backup_due(now=monday, schedule="weekly", at=AT, last=None)
    assert backup_due(now=sunday, schedule="weekly", at=AT, last="2026-11-22")


def test_settings_come_from_the_environment(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("EJOURNAL_BACKUP_SCHEDULE", "Daily")
    monkeypatch.setenv("EJOURNAL_BACKUP_TIME", "23:30")
    monkeypatch.setenv("EJOURNAL_BACKUP_DIR", str(tmp_path))
    assert conf.backup_schedule() == "daily"
    assert conf.backup_time() == dt.time(23, 30)
    assert conf.backup_dir() == tmp_path.resolve()
    monkeypatch.setenv("EJOURNAL_BACKUP_SCHEDULE", "hourly")
    assert conf.backup_schedule() == ""
