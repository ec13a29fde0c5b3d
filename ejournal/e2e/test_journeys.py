"""End-to-end journeys in a real Chromium: each role does its everyday work through the UI,
the pages on the way pass axe-core, and every step leaves a screenshot in
EJOURNAL_ARTIFACTS_DIR."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ejournal.attestation.models import PeriodClosure
from ejournal.e2e.conftest import assert_accessible, login_as, shot
from ejournal.journal import services as journal_services
from ejournal.journal.models import (
    NUMERIC_MARKS,
    Attendance,
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    LessonRecord,
    Mark,
    Work,
    WorkType,
)
from ejournal.messaging import services as messaging_services
from ejournal.messaging.models import Message
from ejournal.schedule.models import Lesson
from ejournal.school.models import CurriculumEntry, SchoolClass, StudyPeriod
from ejournal.school.selectors import school_today
from ejournal.testing.factories import make_lesson
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _inputs(page, student):
    return page.locator(f'tr[data-s="{student.pk}"] input')


def test_administrator_sets_up_a_class(e2e_page, axe_script):
    world = build_world()
    CurriculumEntry.objects.create(
        year=world.year, subject=world.subject, grade=5, hours_per_week=Decimal("5")
    )
    page = e2e_page
    login_as(page, world.users["admin"])
    page.goto("/")
    block = page.locator("section.panel", has_text="Первые шаги настройки школы")
    expect(block).to_contain_text("Нет часов в учебном плане для: 6Б")
    shot(page, "admin-1-start")
    block.get_by_role("link", name=re.compile("Все шаги настройки")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Первые шаги настройки школы")
    assert_accessible(page, axe_script, "setup guide")
    shot(page, "admin-2-setup-guide")

    page.goto(reverse("school:class_create", args=[world.year.pk]))
    page.get_by_label("Параллель").fill("6")
    page.get_by_label("Литера").fill("В")
    page.get_by_label("Классный руководитель").select_option(str(world.staff["teacher"].pk))
    page.get_by_label("Кабинет").fill("14")
    shot(page, "admin-3-class-form")
    page.get_by_role("button", name=re.compile("Сохранить|Создать")).click()
    expect(page.get_by_text("Класс создан.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("6В")
    assert_accessible(page, axe_script, "class list")
    shot(page, "admin-4-class-created")
    created = SchoolClass.objects.get(year=world.year, grade=6, letter="В")
    assert created.homeroom_teacher == world.staff["teacher"]

    # The guide now names the new class as the one still missing curriculum hours.
    page.goto(reverse("school:setup"))
    expect(page.locator("li", has_text="Учебный план")).to_contain_text("6Б, 6В")


def test_teacher_documents_a_lesson_and_keys_in_marks_and_attendance(e2e_page, axe_script):
    world = build_world(3)
    today = school_today(world.school)
    if not StudyPeriod.objects.filter(start__lte=today, end__gte=today).exists():
        StudyPeriod.objects.create(
            band=world.year.bands.get(), number=9, name="Текущий период", start=today, end=today
        )
    lesson = make_lesson(world.group, world.subject, world.staff["teacher"], today, number=1)
    first, second, third = world.students
    page = e2e_page
    login_as(page, world.users["teacher"])

    page.goto(reverse("journal:lesson", args=[lesson.pk]))
    page.get_by_label("Тема урока").fill("Сложение дробей с разными знаменателями")
    page.get_by_role("button", name="Сохранить тему").click()
    page.get_by_label("Задание").fill("№ 245, 247")
    page.get_by_role("button", name="Задать").click()
    expect(page.get_by_text("№ 245, 247")).to_be_visible()
    assert_accessible(page, axe_script, "lesson page")
    shot(page, "teacher-1-lesson-documented")
    assert LessonRecord.objects.get(lesson=lesson).topic.startswith("Сложение дробей")
    assert Homework.objects.filter(lesson=lesson).count() == 1

    page.goto(reverse("journal:grid", args=[world.group.pk, world.subject.pk]))
    assert_accessible(page, axe_script, "journal grid")
    # Keyboard only: a mark, Enter down; a mark, Tab right to attendance; «н», Enter.
    _inputs(page, first).nth(0).click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("н")
    page.keyboard.press("Enter")
    expect(page.locator("#jstatus")).to_have_text("Сохранено.")
    expect(page.locator("tbody td.ok")).to_have_count(3)
    assert _inputs(page, second).nth(1).input_value() == "Н"
    # The debt dot from the Russian layout's «.» key («ю») and a refused value.
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("ю")
    page.keyboard.press("Enter")
    expect(page.locator("tbody td.ok")).to_have_count(4)
    shot(page, "teacher-2-marks-typed")

    # Ctrl+Z takes back the last entry (the dot of the third student).
    page.keyboard.press("Control+z")
    expect(page.locator("#jstatus")).to_have_text("Отменено.")
    expect(_inputs(page, third).nth(0)).to_have_value("")
    _inputs(page, third).nth(0).click()
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    expect(page.locator("#jstatus")).to_contain_text("Недопустимая отметка «9»")
    expect(page.locator("tbody td.err")).to_have_count(1)
    # The refused cell keeps what was typed, with its message beside the pupil's name.
    refused = _inputs(page, third).nth(0)
    expect(refused).to_have_value("9")
    expect(refused).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f'tr[data-s="{third.pk}"] .jerr')).to_contain_text("«9»")
    shot(page, "teacher-3-undo-and-refusal")

    page.reload()
    assert [_inputs(page, s).nth(0).input_value() for s in world.students] == ["5", "4", ""]
    assert _inputs(page, second).nth(1).input_value() == "Н"
    assert sorted(Mark.objects.values_list("value", flat=True)) == ["4", "5"]
    assert Attendance.objects.filter(student=second, lesson=lesson).exists()


def test_deputy_approves_a_correction_and_closes_a_period(e2e_page, axe_script):
    world = build_world(3)
    today = school_today(world.school)
    journal_services.work_types_ensure_defaults(school=world.school)
    teacher = world.staff["teacher"]
    old_day = today - dt.timedelta(days=21)
    lesson = make_lesson(world.group, world.subject, teacher, old_day, number=3)
    work = Work.objects.create(
        lesson=lesson, work_type=WorkType.objects.get(school=world.school, name="Ответ на уроке")
    )
    student = world.students[1]
    Mark.objects.create(work=work, student=student, value="3", numeric=NUMERIC_MARKS["3"])
    journal_services.correction_request_create(
        actor=world.users["teacher"],
        staff=teacher,
        lesson=lesson,
        kind="mark",
        work=work,
        student=student,
        new_value={"value": "4"},
        reason="Ученик пересдал тему",
    )
    page = e2e_page
    login_as(page, world.users["deputy"])
    page.goto("/")
    page.get_by_role("link", name=re.compile("Запросы на исправление журнала: 1")).click()
    expect(page.get_by_text("Ученик пересдал тему")).to_be_visible()
    assert_accessible(page, axe_script, "corrections")
    shot(page, "deputy-1-pending-correction")
    page.get_by_role("button", name="Одобрить").click()
    expect(page.get_by_text("Запросов на рассмотрении нет.")).to_be_visible()
    shot(page, "deputy-2-approved")
    assert CorrectionRequest.objects.get().status == CorrectionStatus.APPROVED
    assert Mark.objects.get(student=student, work=work).value == "4"

    page.goto(reverse("attestation:closures"))
    row = page.locator("tr", has_text="1 четверть")
    row.get_by_role("button", name="Закрыть период").click()
    expect(page.get_by_text("Период «1 четверть» закрыт.")).to_be_visible()
    expect(page.locator("tr", has_text="1 четверть")).to_contain_text("закрыт")
    assert_accessible(page, axe_script, "period closures")
    shot(page, "deputy-3-period-closed")
    assert PeriodClosure.objects.get(period__number=1, period__band__year=world.year).is_closed


def test_parent_on_a_phone_reads_the_diary_and_replies_to_a_message(e2e_phone, axe_script):
    world = build_world(3)
    today = school_today(world.school)
    journal_services.work_types_ensure_defaults(school=world.school)
    teacher = world.staff["teacher"]
    monday = today - dt.timedelta(days=today.weekday())
    oral = WorkType.objects.get(school=world.school, name="Ответ на уроке")
    for n, (day, value) in enumerate([(monday - dt.timedelta(days=7), "3"), (monday, "5")]):
        lesson = make_lesson(world.group, world.subject, teacher, day, number=n + 1)
        LessonRecord.objects.create(lesson=lesson, topic=f"Дроби, урок {n + 1}")
        work = Work.objects.create(lesson=lesson, work_type=oral)
        Mark.objects.create(
            work=work, student=world.child, value=value, numeric=NUMERIC_MARKS[value]
        )
    messaging_services.conversation_start(
        actor=world.users["teacher"],
        school=world.school,
        recipient_ids=[world.users["parent"].pk],
        subject="Контрольная в пятницу",
        body="Напоминаю про контрольную по дробям.",
    )
    page = e2e_phone
    login_as(page, world.users["parent"])
    page.goto("/diary/")
    expect(page.get_by_text("Дроби, урок 2")).to_be_visible()
    expect(page.locator(".mark.mark-5").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, axe_script, "diary week (phone)")
    shot(page, "parent-1-diary-week")

    page.get_by_role("link", name="Отметки").click()
    chart = page.locator("svg.trend-chart").first
    expect(chart).to_be_visible()
    assert "Динамика среднего балла: Математика" in chart.get_attribute("aria-label")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, axe_script, "diary marks (phone)")
    shot(page, "parent-2-diary-marks")

    page.goto(reverse("messaging:inbox"))
    page.get_by_role("link", name=re.compile("Контрольная в пятницу")).click()
    expect(page.get_by_text("Напоминаю про контрольную по дробям.")).to_be_visible()
    page.get_by_label("Ответ").fill("Спасибо, подготовимся.")
    page.get_by_role("button", name="Ответить").click()
    expect(page.get_by_text("Спасибо, подготовимся.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, axe_script, "conversation (phone)")
    shot(page, "parent-3-replied")
    assert Message.objects.filter(sender=world.users["parent"]).count() == 1


def test_homeroom_teacher_prints_the_weekly_diary(e2e_page, axe_script, tmp_path):
    world = build_world(3)
    today = school_today(world.school)
    lesson = make_lesson(world.group, world.subject, world.staff["teacher"], today, number=1)
    LessonRecord.objects.create(lesson=lesson, topic="Десятичные дроби")
    page = e2e_page
    login_as(page, world.users["homeroom"])
    page.goto("/")
    page.get_by_role("link", name="Выписка для родителей").click()
    page.get_by_label("Класс").select_option(label=str(world.school_class))
    page.get_by_label("Любой день недели").fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name="Показать учеников").click()
    expect(page.get_by_label(world.child.full_name)).to_be_visible()
    page.get_by_label(world.child.full_name).check()
    assert_accessible(page, axe_script, "printout page")
    shot(page, "homeroom-1-printout-form")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Скачать PDF").click()
    download = download_info.value
    assert re.fullmatch(r"dnevnik-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    target = Path(tmp_path) / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    # The page itself prints without the menu and buttons.
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Скачать PDF")).to_be_hidden()
    shot(page, "homeroom-2-print-media")


def test_journal_explains_a_window_closed_and_a_lesson_taken_away_while_open(e2e_page):
    world = build_world(3)
    today = school_today(world.school)
    period = StudyPeriod.objects.filter(start__lte=today, end__gte=today).first()
    if period is None:
        period = StudyPeriod.objects.create(
            band=world.year.bands.get(), number=9, name="Текущий период", start=today, end=today
        )
    lesson = make_lesson(world.group, world.subject, world.staff["teacher"], today, number=1)
    first, second, _ = world.students
    page = e2e_page
    login_as(page, world.users["teacher"])
    page.goto(reverse("journal:grid", args=[world.group.pk, world.subject.pk]))

    # The deputy closes the period while the page is open: the refusal says why and
    # offers the correction request.
    PeriodClosure.objects.create(
        period=period, is_closed=True, closed_by=world.users["deputy"], closed_at=timezone.now()
    )
    _inputs(page, first).nth(0).click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    status = page.locator("#jstatus")
    expect(status).to_contain_text(f"Период «{period.name}» закрыт")
    link = status.get_by_role("link", name="Подать запрос на исправление")
    expect(link).to_have_attribute(
        "href",
        re.compile(rf"/journal/lesson/{lesson.pk}/correction/\?kind=mark&student={first.pk}"),
    )
    # The typed mark stays in the refused cell for the correction request.
    expect(_inputs(page, first).nth(0)).to_have_value("5")
    expect(page.locator(f'tr[data-s="{first.pk}"] td.err')).to_have_count(1)
    shot(page, "teacher-4-period-closed-refusal")

    # The lesson is handed to another teacher: a plain Russian refusal, nothing saved.
    PeriodClosure.objects.all().delete()
    Lesson.objects.filter(pk=lesson.pk).update(
        planned_teacher=world.staff["homeroom"], actual_teacher=world.staff["homeroom"]
    )
    _inputs(page, second).nth(1).click()
    page.keyboard.type("н")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Нет права вносить записи в этот урок")
    expect(page.locator(f'tr[data-s="{second.pk}"] td.err')).to_have_count(1)
    assert not Mark.objects.exists() and not Attendance.objects.exists()
    shot(page, "teacher-5-permission-refusal")
