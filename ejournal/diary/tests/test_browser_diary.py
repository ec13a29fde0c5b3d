"""The diary on a 360-px phone: a parent opens it, moves between weeks and children."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from ejournal.accounts.models import Role
from ejournal.journal.models import NUMERIC_MARKS, Homework, LessonRecord, Mark, Work, WorkType
from ejournal.journal.services import work_types_ensure_defaults
from ejournal.school.selectors import school_today
from ejournal.testing import factories as f
from ejournal.testing.browser import sign_in
from ejournal.testing.factories import TEST_PASSWORD, make_lesson
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _family():
    world = build_world(3)
    today = school_today(world.school)
    monday = today - dt.timedelta(days=today.weekday())
    teacher = world.staff["teacher"]
    work_types_ensure_defaults(school=world.school)
    control = WorkType.objects.get(school=world.school, name="Контрольная работа")
    for number, day in enumerate([monday, monday + dt.timedelta(days=1)], start=1):
        lesson = make_lesson(world.group, world.subject, teacher, day, number=number, room="12")
        LessonRecord.objects.create(lesson=lesson, topic=f"Дроби, часть {number}")
        work = Work.objects.create(lesson=lesson, work_type=control)
        Mark.objects.create(
            work=work,
            student=world.child,
            value="5",
            numeric=NUMERIC_MARKS["5"],
            comment="Без ошибок",
        )
        Homework.objects.create(lesson=lesson, text=f"Задачи № {number}0–{number}5")
    next_lesson = make_lesson(
        world.group, world.subject, teacher, monday + dt.timedelta(days=7), number=3
    )
    LessonRecord.objects.create(lesson=next_lesson, topic="Тема следующей недели")

    # A second child in another school, with the same parent account.
    school2 = world.other_school
    year2 = f.YearFactory(school=school2)
    class2 = f.ClassFactory(school=school2, year=year2, grade=2, letter="В")
    kid2 = f.StudentFactory(
        school=school2, first_name="Вера", last_name="Младшая", birth_date=dt.date(2019, 4, 2)
    )
    f.enroll(kid2, class2)
    group2 = f.GroupFactory(school_class=class2, name="2В")
    reading = f.SubjectFactory(school=school2, name="Литературное чтение")
    teacher2 = f.StaffFactory(school=school2)
    make_lesson(group2, reading, teacher2, today, number=1)
    guardian2 = f.GuardianFactory(school=school2, user=world.users["parent"])
    f.link_guardian(kid2, guardian2)
    f.grant(world.users["parent"], Role.PARENT, school2)
    return world, kid2


def test_parent_opens_the_diary_on_a_phone_switches_week_and_child(phone_page):
    world, kid2 = _family()
    page = phone_page
    sign_in(page, "parent", TEST_PASSWORD)
    page.goto("/diary/")

    expect(page.get_by_role("heading", level=1)).to_contain_text(world.child.first_name)
    expect(page.locator("section.day.today")).to_have_count(1)
    expect(page.get_by_text("Дроби, часть 1")).to_be_visible()
    expect(page.locator(".mark.mark-5").first).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="След. →").click()
    expect(page.get_by_text("Тема следующей недели")).to_be_visible()
    page.get_by_role("link", name="← Пред.").click()
    expect(page.get_by_text("Дроби, часть 2")).to_be_visible()

    page.locator(f'.child-switch a[data-child="{kid2.pk}"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Вера")
    expect(page.get_by_text("Литературное чтение")).to_be_visible()
    expect(page.get_by_text("Дроби, часть 1")).to_have_count(0)

    page.get_by_role("link", name="Отметки").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Отметки")
    page.locator(f'.child-switch a[data-child="{world.child.pk}"]').click()
    expect(page.locator("svg.trend-chart").first).to_be_visible()
    page.get_by_role("link", name="Неделя").click()
    expect(page.locator("section.day.today")).to_be_visible()
