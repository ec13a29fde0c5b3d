"""The main menu: which sections each role sees, built once per set of roles.

Menu only: access to each page is decided by its view (``roles_required`` and the
authorization sweep); a link shown here to someone the view refuses would be a bug the
sweep finds, a link missing only hides a page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse

from ejournal.accounts.models import HOMEROOM, STAFF_ROLES, Role

ADMINISTRATION = frozenset({Role.ADMIN, Role.DEPUTY, Role.DIRECTOR})
JOURNAL = ADMINISTRATION | {Role.TEACHER}

Shown = Callable[[frozenset[str]], bool]


def anyone(roles: frozenset[str]) -> bool:
    return True


def any_of(*groups) -> Shown:
    wanted = frozenset().union(*(g if isinstance(g, frozenset) else {g} for g in groups))
    return lambda roles: bool(roles & wanted)


def backups_shown(roles: frozenset[str]) -> bool:
    # The administration reach backups from the archive page.
    return bool(roles & {Role.HR, Role.OPERATOR}) and not roles & ADMINISTRATION


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    shown: Shown


MENU = [
    Item("Главная", "accounts:home", anyone),
    Item("Структура школы", "school:overview", any_of(ADMINISTRATION)),
    Item("Журнал", "journal:index", any_of(JOURNAL)),
    Item("КТП", "planning:plan_list", any_of(JOURNAL)),
    Item("Расписание", "schedule:timetable", any_of(STAFF_ROLES)),
    Item("Мои уроки", "schedule:my_week", any_of(Role.TEACHER)),
    Item("Замены", "schedule:substitutions", any_of(ADMINISTRATION)),
    Item("Аттестация", "attestation:index", any_of(JOURNAL)),
    Item("Отчёты", "reports:index", any_of(JOURNAL, Role.INSPECTOR)),
    Item("Архив", "archive:index", any_of(ADMINISTRATION)),
    Item("Контингент", "people:index", any_of(ADMINISTRATION, Role.OPERATOR, HOMEROOM)),
    Item("Персонал", "people:staff_records", any_of(Role.HR)),
    Item("Учётные записи", "people:support_accounts", any_of(Role.SUPPORT)),
    Item("Резервные копии", "archive:backups", backups_shown),
    Item("Дневник", "diary:index", any_of(Role.PARENT, Role.STUDENT)),
    Item("Календарь", "diary:calendar", any_of(Role.PARENT, Role.STUDENT)),
    Item("Выписка для родителей", "diary:printout", any_of(HOMEROOM, ADMINISTRATION)),
    Item("Уведомления", "notifications:preferences", anyone),
]


def menu_links(roles: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The (label, URL) of each section a signed-in user's menu shows; the template
    (``partials/nav.html``) adds the messages link when a school is chosen."""
    return _menu_links(roles, get_script_prefix())


@functools.lru_cache(maxsize=512)
def _menu_links(roles: frozenset[str], _prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((item.label, reverse(item.url_name)) for item in MENU if item.shown(roles))
