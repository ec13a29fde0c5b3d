import datetime as dt

import pytest

from ejournal.core.russian import by_day


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2026, 11, 16), "к понедельнику, 16 ноября"),
        (dt.date(2026, 11, 17), "ко вторнику, 17 ноября"),
        (dt.date(2026, 11, 18), "к среде, 18 ноября"),
        (dt.date(2026, 11, 19), "к четвергу, 19 ноября"),
        (dt.date(2026, 11, 20), "к пятнице, 20 ноября"),
        (dt.date(2026, 11, 21), "к субботе, 21 ноября"),
        (dt.date(2027, 1, 3), "к воскресенью, 3 января"),
    ],
)
def test_homework_is_due_with_the_weekday_in_the_dative(day, text):
    assert by_day(day) == text
