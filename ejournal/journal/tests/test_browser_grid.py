"""The journal grid in a real Chromium: marks typed with the keyboard are saved without
a page reload and are there after a reload."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ejournal.journal import services
from ejournal.journal.models import Mark, Work, WorkType
from ejournal.school.models import GradeBand, StudyPeriod
from ejournal.school.selectors import school_today
from ejournal.testing.browser import sign_in
from ejournal.testing.factories import TEST_PASSWORD, make_lesson
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _journal_today():
    """5А mathematics with a lesson today (windows open) with three works."""
    world = build_world(3)
    today = school_today(world.school)
    if not StudyPeriod.objects.filter(start__lte=today, end__gte=today).exists():
        band = GradeBand.objects.get(year=world.year)
        StudyPeriod.objects.create(
            band=band, number=9, name="Текущий период", start=today, end=today
        )
    teacher = world.staff["teacher"]
    services.work_types_ensure_defaults(school=world.school)
    lesson = make_lesson(world.group, world.subject, teacher, today, number=2)
    for name in ("Ответ на уроке", "Самостоятельная работа", "Тест"):
        Work.objects.create(lesson=lesson, work_type=WorkType.objects.get(name=name))
    # An earlier lesson today without works: its first mark creates «Ответ на уроке».
    make_lesson(world.group, world.subject, teacher, today, number=1)
    return world, lesson


def _row(page, student):
    return page.locator(f'tr[data-s="{student.pk}"] input')


def _paste(cell, text):
    """Paste ``text`` (tab- and newline-separated, as a spreadsheet copies) into a cell."""
    cell.click()
    cell.evaluate(
        """(input, text) => {
            const data = new DataTransfer();
            data.setData("text", text);
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }""",
        text,
    )


def test_teacher_types_a_row_and_a_column_of_marks_and_sees_them_after_reload(browser_page):
    world, lesson = _journal_today()
    page = browser_page
    sign_in(page, "teacher", TEST_PASSWORD)
    page.goto(reverse("journal:grid", args=[world.group.pk, world.subject.pk]))
    first, second, third = world.students

    # Lesson 1: [Отв, п]; lesson 2: [Отв, СР, Тест, п]. A row: 5 → 4 → 3 across lesson 2.
    row = _row(page, first)
    row.nth(2).click()
    page.keyboard.type("5")
    page.keyboard.press("ArrowRight")
    page.keyboard.type("4")
    page.keyboard.press("ArrowRight")
    page.keyboard.type("3")
    page.keyboard.press("Enter")  # saves and moves down to the next student
    expect(page.locator("#jstatus")).to_have_text("Сохранено.")

    # A column with Enter: lesson 1 has no work yet; the first mark creates it.
    _row(page, first).nth(0).click()
    for value in ("5", "4", "2"):
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    expect(page.locator("tbody td.ok")).to_have_count(6)

    # A refused value shows the Russian message on the cell and changes nothing.
    _row(page, third).nth(3).click()
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    expect(page.locator("#jstatus")).to_contain_text("Недопустимая отметка «7»")
    expect(page.locator("tbody td.err")).to_have_count(1)

    page.reload()
    assert [_row(page, first).nth(i).input_value() for i in range(5)] == ["5", "", "5", "4", "3"]
    assert _row(page, second).nth(0).input_value() == "4"
    assert _row(page, third).nth(0).input_value() == "2"
    assert _row(page, third).nth(3).input_value() == ""
    assert Mark.objects.count() == 6
    assert Work.objects.filter(lesson__number=1).count() == 1
    expect(page.locator("th#current")).to_have_class(re.compile("cur"))


def test_a_pasted_block_is_saved_in_one_request(browser_page):
    world, lesson = _journal_today()
    page = browser_page
    sign_in(page, "teacher", TEST_PASSWORD)
    page.goto(reverse("journal:lesson", args=[lesson.pk]))
    requests = []
    page.on("request", lambda r: requests.append(r) if r.url.endswith("/journal/cells/") else None)
    first_cell = _row(page, world.students[0]).nth(0)
    _paste(first_cell, "5\t4\n3\t5\n4\t4\n")
    expect(page.locator("#jstatus")).to_have_text("Сохранено ячеек: 6.")
    assert len(requests) == 1
    assert sorted(Mark.objects.values_list("value", flat=True)) == ["3", "4", "4", "4", "5", "5"]

    # A double-click adds a comment for the diary; the mark keeps its value.
    page.once("dialog", lambda dialog: dialog.accept("Решил у доски"))
    first_cell.dblclick()
    expect(page.locator("#jstatus")).to_have_text("Сохранено.")
    expect(first_cell.locator("xpath=..")).to_have_attribute("title", "Решил у доски")
    mark = Mark.objects.get(student=world.students[0], work__work_type__name="Ответ на уроке")
    assert (mark.value, mark.comment) == ("5", "Решил у доски")


def test_on_a_phone_the_lesson_page_takes_marks_and_attendance(phone_page):
    world, lesson = _journal_today()
    page = phone_page
    sign_in(page, "teacher", TEST_PASSWORD)
    page.goto(reverse("journal:lesson", args=[lesson.pk]))
    row = _row(page, world.students[1])
    row.nth(0).tap()
    page.keyboard.type("5")
    row.nth(3).tap()  # attendance: the previous cell is saved when it loses focus
    page.keyboard.type("оп5")
    page.keyboard.press("Enter")
    expect(page.locator("tbody td.ok")).to_have_count(2)
    # The table fits the phone's width: no sideways scrolling to reach the cells.
    width = page.evaluate("document.querySelector('table.jgrid').getBoundingClientRect().width")
    assert width <= 360
    page.reload()
    assert _row(page, world.students[1]).nth(3).input_value() == "ОП5"


def _journal_of_past_days():
    """5А mathematics with lessons two days and one day ago (mark windows still open,
    whatever the time of day): «Ответ на уроке» (weight 1) and «Самостоятельная работа»
    (weight 1.5) on the first, «Ответ на уроке» on the second."""
    world = build_world(3)
    today = school_today(world.school)
    first_day = today - dt.timedelta(days=2)
    if not StudyPeriod.objects.filter(start__lte=first_day, end__gte=today).exists():
        StudyPeriod.objects.create(
            band=GradeBand.objects.get(year=world.year),
            number=9,
            name="Текущий период",
            start=first_day,
            end=today,
        )
    teacher = world.staff["teacher"]
    services.work_types_ensure_defaults(school=world.school)
    earlier = make_lesson(world.group, world.subject, teacher, first_day, number=3)
    for name in ("Ответ на уроке", "Самостоятельная работа"):
        Work.objects.create(lesson=earlier, work_type=WorkType.objects.get(name=name))
    later = make_lesson(world.group, world.subject, teacher, first_day + dt.timedelta(days=1))
    Work.objects.create(lesson=later, work_type=WorkType.objects.get(name="Ответ на уроке"))
    return world


def _totals(page, student):
    cells = page.locator(f'tr[data-s="{student.pk}"] td.num')
    return cells.nth(0), cells.nth(1)


def test_a_refused_value_stays_typed_and_explained_until_the_teacher_fixes_it(browser_page):
    world = _journal_of_past_days()
    first, second, third = world.students
    page = browser_page
    sign_in(page, "teacher", TEST_PASSWORD)
    page.goto(reverse("journal:grid", args=[world.group.pk, world.subject.pk]))
    saves = []
    page.on("request", lambda r: saves.append(r) if r.url.endswith("/journal/cells/") else None)
    status = page.locator("#jstatus")
    # Columns: earlier lesson [Отв, СР, п], later lesson [Отв, п]; only marks are open.
    refused_cell = _row(page, first).nth(0)

    refused_cell.click()
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Недопустимая отметка «7»")
    expect(status).to_contain_text("Ученик00")
    expect(refused_cell).to_have_value("7")
    expect(refused_cell).to_have_attribute("aria-invalid", "true")
    expect(refused_cell).to_be_focused()  # the cursor comes back to the refused cell
    note = page.locator(f'tr[data-s="{first.pk}"] .jerr')
    expect(note).to_contain_text("Недопустимая отметка «7»")
    expect(refused_cell).to_have_attribute("aria-describedby", note.get_attribute("id"))

    # Another pupil's mark is saved; the refusal stays with its own pupil and is counted.
    _row(page, second).nth(0).click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Сохранено. Не принято: 1")
    expect(page.locator("tbody td.err")).to_have_count(1)
    expect(refused_cell).to_have_value("7")
    expect(page.locator(f'tr[data-s="{second.pk}"] .jerr')).to_have_count(0)
    expect(page.locator(".jerr")).to_have_count(1)
    # Passing through the refused cell does not send the refused value again.
    sent = len(saves)
    refused_cell.click()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert len(saves) == sent
    expect(refused_cell).to_have_attribute("aria-invalid", "true")

    # The teacher corrects it: saved, nothing pending, and the averages follow at once.
    refused_cell.click()
    page.keyboard.type("4")
    page.keyboard.press("ArrowRight")
    expect(status).to_have_text("Сохранено.")
    expect(page.locator("tbody td.err")).to_have_count(0)
    expect(page.locator(".jerr")).to_have_count(0)
    expect(refused_cell).not_to_have_attribute("aria-invalid", "true")
    average, debts = _totals(page, first)
    expect(average).to_have_text("4,00 → 4")
    page.keyboard.type("5")  # «Самостоятельная работа», weight 1.5: (4 + 7.5) / 2.5
    page.keyboard.press("Enter")
    expect(average).to_have_text("4,60 → 5")
    _row(page, first).nth(2).click()  # the later lesson's «Отв»
    page.keyboard.type("ю")  # the debt dot from the Russian layout's «.» key
    page.keyboard.press("Enter")
    expect(debts).to_have_text("1")
    expect(_totals(page, second)[0]).to_have_text("5,00 → 5")

    page.reload()
    average, debts = _totals(page, first)
    expect(average).to_have_text("4,60 → 5")
    expect(debts).to_have_text("1")
    assert sorted(Mark.objects.values_list("value", flat=True)) == ["4", "5", "5", "dot"]
    assert not Mark.objects.filter(student=third).exists()


def test_a_refused_cell_is_dropped_with_esc_and_a_refused_paste_saves_nothing(browser_page):
    world = _journal_of_past_days()
    first, second, third = world.students
    page = browser_page
    sign_in(page, "teacher", TEST_PASSWORD)
    page.goto(reverse("journal:grid", args=[world.group.pk, world.subject.pk]))
    status = page.locator("#jstatus")
    top = _row(page, first).nth(1)
    _paste(top, "5\n9\n4\n")
    expect(status).to_contain_text("Недопустимая отметка «9»")
    expect(status).to_contain_text("Ни одна ячейка из вставленных не сохранена")
    expect(_row(page, second).nth(1)).to_have_value("9")
    expect(_row(page, first).nth(1)).to_have_value("")
    expect(_row(page, third).nth(1)).to_have_value("")
    expect(page.locator(f'tr[data-s="{second.pk}"] .jerr')).to_have_count(1)
    assert not Mark.objects.exists()

    # Esc drops the refused entry: the saved (empty) value is back, nothing is pending.
    expect(_row(page, second).nth(1)).to_be_focused()
    page.keyboard.press("Escape")
    expect(_row(page, second).nth(1)).to_have_value("")
    expect(page.locator(".jerr")).to_have_count(0)
    expect(page.locator("tbody td.err")).to_have_count(0)
    _row(page, third).nth(1).click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(status).to_have_text("Сохранено.")
    # Ctrl+Z takes the mark back; no error is left anywhere.
    page.keyboard.press("Control+z")
    expect(status).to_have_text("Отменено.")
    expect(page.locator(".jerr")).to_have_count(0)
    assert not Mark.objects.exists()
