import re

import pytest

from ejournal.accounts.menu import menu_links
from ejournal.accounts.models import Role

ADMINISTRATION = [
    "Структура школы", "Журнал", "КТП", "Расписание", "Замены", "Аттестация", "Отчёты",
    "Архив", "Контингент", "Выписка для родителей",
]  # fmt: skip
TEACHER = ["Журнал", "КТП", "Расписание", "Мои уроки", "Аттестация", "Отчёты"]
HOMEROOM = [*TEACHER, "Контингент", "Выписка для родителей"]
FAMILY = ["Дневник", "Календарь"]
MENUS = {
    "admin": ADMINISTRATION,
    "director": ADMINISTRATION,
    "deputy": ADMINISTRATION,
    # The world's teacher leads 6Б too.
    "teacher": HOMEROOM,
    "homeroom": HOMEROOM,
    "operator": ["Расписание", "Контингент", "Резервные копии"],
    "hr": ["Расписание", "Персонал", "Резервные копии"],
    "student": FAMILY,
    "parent": FAMILY,
    "other_parent": FAMILY,
}


def menu_labels(body: str) -> list[str]:
    nav = re.search(r'<nav class="topnav"[^>]*>(.*?)</nav>', body, re.S)
    assert nav, "no main menu on the page"
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r"<a [^>]*>(.*?)</a>", nav[1], re.S)
    ]


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_sees_its_sections_in_the_menu(client_for, role):
    labels = menu_labels(client_for(role).get("/").content.decode())
    assert labels == ["Главная", *MENUS[role], "Уведомления", "Сообщения"]


def test_the_inspector_has_reports_and_no_school_messages(client_for):
    labels = menu_labels(client_for("inspector").get("/").content.decode())
    assert labels == ["Главная", "Отчёты", "Уведомления"]


def test_an_anonymous_visitor_has_no_menu(client):
    assert '<nav class="topnav"' not in client.get("/accounts/login/").content.decode()


def test_a_teacher_without_a_class_has_no_contingent_or_printouts():
    labels = [label for label, _ in menu_links(frozenset({Role.TEACHER}))]
    assert "Мои уроки" in labels and "Контингент" not in labels
    assert not any(label.startswith("Выписка") for label in labels)


def test_menu_links_reach_the_sections_and_escape_nothing_unsafe(client_for):
    page = client_for("admin").get("/").content.decode()
    html = page.split('<nav class="topnav"')[1].split("</nav>")[0]
    assert 'href="/journal/"' in html
    assert 'hx-get="/messages/unread/"' in html
    assert "<script" not in html
