"""Russian as the pages write it: dates with the case the sentence needs.

The glossary of the product (one word per concept, as the regulations say):
- «отметка» (never «оценка») for a mark, «отметка за период» for a period mark;
- «урок», «домашнее задание», «пропуск» (Н, Б, УП) and «опоздание» (ОП) — a late arrival
  is not a missed lesson;
- «родитель (законный представитель)», «ученик», «классный руководитель»;
- «учётная запись», «вход», «выход» — no «аккаунт», «логин» only for the login itself.
"""

from __future__ import annotations

import datetime as dt

# «к» + dative; before «вторнику» the preposition is «ко» (ко вторнику).
WEEKDAYS_DATIVE = (
    "понедельнику",
    "вторнику",
    "среде",
    "четвергу",
    "пятнице",
    "субботе",
    "воскресенью",
)
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def day_month(day: dt.date) -> str:
    """«17 ноября»."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"


def by_day(day: dt.date) -> str:
    """«ко вторнику, 17 ноября», «к среде, 18 ноября»: when homework is due."""
    weekday = WEEKDAYS_DATIVE[day.weekday()]
    preposition = "ко" if weekday == "вторнику" else "к"
    return f"{preposition} {weekday}, {day_month(day)}"
