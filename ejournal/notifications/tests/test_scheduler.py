import datetime as dt

from ejournal.notifications.scheduler import due_jobs, mark_done

MSK = dt.timezone(dt.timedelta(hours=3))


def at(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=MSK)


def test_retry_runs_every_five_minutes():
    now = at(2026, 11, 23, 10)
    assert due_jobs(now=now, last={}) == ["retry", "audit_checkpoint"]
    state = mark_done({}, ["retry", "audit_checkpoint"], now)
    assert due_jobs(now=now + dt.timedelta(minutes=4), last=state) == []
    assert due_jobs(now=now + dt.timedelta(minutes=5), last=state) == ["retry"]


def test_audit_heads_are_written_down_every_hour():
    now = at(2026, 11, 23, 10)
    state = mark_done({}, ["retry", "audit_checkpoint"], now)
    state = mark_done(state, ["retry"], now + dt.timedelta(minutes=55))
    assert "audit_checkpoint" not in due_jobs(now=now + dt.timedelta(minutes=59), last=state)
    assert "audit_checkpoint" in due_jobs(now=now + dt.timedelta(minutes=60), last=state)


def test_daily_digest_once_each_evening_even_after_a_restart():
    evening = at(2026, 11, 23, 19, 1)  # a Monday
    state = mark_done({}, ["retry", "audit_checkpoint"], evening)
    assert due_jobs(now=evening, last=state) == ["daily"]
    state = mark_done(state, ["daily"], evening)
    assert due_jobs(now=at(2026, 11, 23, 22), last=state) == ["retry", "audit_checkpoint"]
    assert "daily" not in due_jobs(now=at(2026, 11, 24, 18, 59), last=state)
    assert "daily" in due_jobs(now=at(2026, 11, 24, 19), last=state)


def test_weekly_digest_on_sunday_evening():
    sunday = at(2026, 11, 29, 19, 30)
    ran = {"retry": sunday.isoformat(), "audit_checkpoint": sunday.isoformat()}
    assert due_jobs(now=sunday, last=ran) == ["daily", "weekly"]
    saturday = at(2026, 11, 28, 19, 30)
    assert "weekly" not in due_jobs(now=saturday, last={})
