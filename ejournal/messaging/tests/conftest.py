import datetime as dt
import zoneinfo

import pytest
import time_machine

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


@pytest.fixture(autouse=True)
def frozen_now():
    """A school Monday, 23.11.2026, 10:00 (the world's year runs 2026/27)."""
    with time_machine.travel(NOW, tick=True):
        yield NOW
