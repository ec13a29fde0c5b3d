"""What a teacher types into a journal cell: marks and attendance codes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from ejournal.journal.models import (
    AttendanceCode,
    MarkValue,
)

_MARK_ALIASES = {
    **{str(n): str(n) for n in range(1, 6)},
    "н/а": MarkValue.NOT_ATTESTED,
    "на": MarkValue.NOT_ATTESTED,
    "na": MarkValue.NOT_ATTESTED,
    "осв": MarkValue.EXEMPT,
    "osv": MarkValue.EXEMPT,
    "зач": MarkValue.PASS,
    "zach": MarkValue.PASS,
    "незач": MarkValue.FAIL,
    "nezach": MarkValue.FAIL,
    "•": MarkValue.DEBT,
    ".": MarkValue.DEBT,
    "т": MarkValue.DEBT,
    "точка": MarkValue.DEBT,
    "dot": MarkValue.DEBT,
}


MARK_INPUT_HELP = "1–5, н/а, осв, зач, незач или точка «.» (долг)"


def parse_mark(text: str | None) -> str | None:
    """What the teacher typed → a ``MarkValue`` (None clears the cell)."""
    cleaned = (text or "").strip().lower().replace(" ", "")
    if not cleaned:
        return None
    value = _MARK_ALIASES.get(cleaned)
    if value is None:
        raise ValidationError(f"Недопустимая отметка «{text}». Допустимо: {MARK_INPUT_HELP}.")
    return str(value)


_ATTENDANCE_RE = re.compile(r"^(н|нб|б|уп|оп|n|b|up|op)(\d{1,3})?$")


_ATTENDANCE_CODES = {
    "н": AttendanceCode.ABSENT,
    "нб": AttendanceCode.ABSENT,
    "n": AttendanceCode.ABSENT,
    "б": AttendanceCode.ILL,
    "b": AttendanceCode.ILL,
    "уп": AttendanceCode.EXCUSED,
    "up": AttendanceCode.EXCUSED,
    "оп": AttendanceCode.LATE,
    "op": AttendanceCode.LATE,
}


ATTENDANCE_INPUT_HELP = "Н, Б, УП или ОП с минутами опоздания (например, «оп10»)"


def parse_attendance(text: str | None) -> tuple[str | None, int | None]:
    """«н», «б», «уп», «оп10» → (code, late minutes); empty means present."""
    cleaned = (text or "").strip().lower().replace(" ", "")
    if not cleaned:
        return None, None
    match = _ATTENDANCE_RE.match(cleaned)
    if not match:
        raise ValidationError(
            f"Непонятная отметка посещаемости «{text}». Допустимо: {ATTENDANCE_INPUT_HELP}."
        )
    code = str(_ATTENDANCE_CODES[match.group(1)])
    minutes = int(match.group(2)) if match.group(2) else None
    if code == AttendanceCode.LATE:
        if not minutes:
            raise ValidationError("Для опоздания укажите минуты, например «оп10».")
        if minutes > 90:
            raise ValidationError("Опоздание больше 90 минут отмечается как отсутствие (Н).")
    elif minutes is not None:
        raise ValidationError("Минуты указываются только для опоздания (ОП).")
    return code, minutes
