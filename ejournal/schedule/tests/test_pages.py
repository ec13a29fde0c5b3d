"""Who may open each schedule page, and that pages cost the same queries for any size."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ejournal.accounts.models import StaffMember
from ejournal.schedule import services
from ejournal.schedule.models import Lesson
from ejournal.schedule.tests import helpers
from ejournal.testing import factories as f
from ejournal.testing.world import WORLD_ROLES

pytestmark = pytest.mark.django_db

ROLES = [*WORLD_ROLES, "anonymous"]
STAFF = {"admin", "director", "deputy", "teacher", "homeroom", "operator", "hr"}
EDITORS = {"admin", "deputy"}
OVERSEERS = {"admin", "deputy", "director"}
TODAY = dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC)  # Monday


@pytest.fixture
def timetable(world, bells, time_machine):
    time_machine.move_to(TODAY, tick=False)
    entry = helpers.entry(world, weekday=1, number=1, room="12")
    services.lessons_materialise(
        school=world.school, start=dt.date(2026, 10, 5), end=dt.date(2026, 10, 12)
    )
    lesson = Lesson.objects.get(date=dt.date(2026, 10, 5))
    return entry, lesson


def expect(role, allowed, *, outsider_own_school=False):
    if role == "anonymous":
        return 302
    if role == "outsider" and outsider_own_school:
        return 200
    return 200 if role in allowed else 404


def pages(world, entry, lesson):
    return {
        "timetable": (reverse("schedule:timetable"), STAFF, True),
        "bells": (reverse("schedule:bells"), STAFF, True),
        "by_class": (reverse("schedule:by_class", args=[world.school_class.pk]), STAFF, False),
        "by_teacher": (
            reverse("schedule:by_teacher", args=[world.staff["teacher"].pk]),
            STAFF,
            False,
        ),
        "by_room": (reverse("schedule:by_room", args=["12"]), STAFF, False),
        "bell_new": (reverse("schedule:bell_new"), EDITORS, True),
        "entry_new": (reverse("schedule:entry_new"), EDITORS, False),
        "entry_edit": (reverse("schedule:entry_edit", args=[entry.pk]), EDITORS, False),
        "extra": (reverse("schedule:extra"), EDITORS, False),
        "substitute_day": (reverse("schedule:substitute_day"), EDITORS, True),
        "day": (reverse("schedule:day"), OVERSEERS, True),
        "substitutions": (reverse("schedule:substitutions"), OVERSEERS, True),
        "my_week": (reverse("schedule:my_week"), {"teacher", "homeroom"}, False),
        "lesson": (
            reverse("schedule:lesson", args=[lesson.pk]),
            OVERSEERS | {"teacher", "homeroom"},
            False,
        ),
    }


PAGE_NAMES = [
    "timetable",
    "bells",
    "by_class",
    "by_teacher",
    "by_room",
    "bell_new",
    "entry_new",
    "entry_edit",
    "extra",
    "substitute_day",
    "day",
    "substitutions",
    "my_week",
    "lesson",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
@pytest.mark.parametrize("role", ROLES)
def test_page_access_by_role(world, timetable, client_for, page, role):
    url, allowed, outsider_own = pages(world, *timetable)[page]
    response = client_for(role).get(url)
    assert response.status_code == expect(role, allowed, outsider_own_school=outsider_own)


POSTS = [
    ("schedule:materialise", lambda e, lsn: [], {"start": "2026-10-06", "end": "2026-10-20"}),
    ("schedule:bell_day", lambda e, lsn: [], {"date": "2026-10-06", "shift": "1"}),
    ("schedule:entry_end", lambda e, lsn: [e.pk], {"last_day": "2026-12-31"}),
    ("schedule:lesson_change", lambda e, lsn: [lsn.pk, "cancel"], {"cancel-reason": "x"}),
]


@pytest.mark.parametrize("name,args,data", POSTS)
@pytest.mark.parametrize("role", sorted(set(ROLES) - EDITORS - {"anonymous", "outsider"}))
def test_writes_are_refused_to_non_editors_and_change_nothing(
    world, timetable, client_for, role, name, args, data
):
    entry, lesson = timetable
    before = list(Lesson.objects.order_by("id").values())
    response = client_for(role).post(reverse(name, args=args(entry, lesson)), data)
    assert response.status_code == 404
    assert list(Lesson.objects.order_by("id").values()) == before
    entry.refresh_from_db()
    assert entry.valid_to is None


def test_outsider_admin_cannot_touch_another_schools_lesson(world, timetable, client_for):
    entry, lesson = timetable
    client = client_for("outsider")
    url = reverse("schedule:lesson_change", args=[lesson.pk, "cancel"])
    assert client.post(url, {"cancel-reason": "x"}).status_code == 404
    assert client.post(reverse("schedule:entry_end", args=[entry.pk])).status_code == 404
    lesson.refresh_from_db()
    assert lesson.status == "planned"


def test_deputy_cancels_a_lesson_and_the_change_is_recorded(world, timetable, client_for):
    _, lesson = timetable
    url = reverse("schedule:lesson_change", args=[lesson.pk, "cancel"])
    client_for("deputy").post(url, {"cancel-reason": "Карантин"})
    lesson.refresh_from_db()
    change = lesson.changes.get()
    assert lesson.status == "cancelled"
    assert (change.kind, change.reason, change.created_by) == (
        "cancel",
        "Карантин",
        world.users["deputy"],
    )


def test_bad_input_gets_a_russian_message_and_changes_nothing(world, timetable, client_for):
    _, lesson = timetable
    url = reverse("schedule:lesson_change", args=[lesson.pk, "move"])
    response = client_for("deputy").post(
        url, {"move-date": "2026-10-05", "move-number": "9", "move-reason": "x"}, follow=True
    )
    assert "нет 9 урока" in response.content.decode()
    assert Lesson.objects.count() == 2


def test_deputy_adds_an_entry_and_its_lessons_follow(world, timetable, client_for):
    response = client_for("deputy").post(
        reverse("schedule:entry_new"),
        {
            "weekday": "2",
            "number": "3",
            "group": world.group.pk,
            "subject": world.subject.pk,
            "teacher": world.staff["teacher"].pk,
            "room": "14",
            "valid_from": "2026-09-01",
        },
        follow=True,
    )
    assert "Урок добавлен в расписание" in response.content.decode()
    assert Lesson.objects.filter(date=dt.date(2026, 10, 6), number=3, room="14").exists()


def test_entry_conflict_is_shown_in_russian(world, timetable, client_for):
    response = client_for("deputy").post(
        reverse("schedule:entry_new"),
        {
            "weekday": "1",
            "number": "1",
            "group": world.group.pk,
            "subject": world.subject.pk,
            "teacher": world.staff["homeroom"].pk,
            "room": "12",
            "valid_from": "2026-09-01",
        },
    )
    body = response.content.decode()
    assert "Кабинет 12 занят двумя уроками одновременно" in body
    assert "У группы 5А два урока одновременно" in body


def test_teacher_start_page_lists_todays_lessons_with_substitutions(world, timetable, client_for):
    _, lesson = timetable
    body = client_for("teacher").get("/").content.decode()
    assert "Уроки на сегодня" in body and "08:30" in body and "(замена)" not in body
    services.substitution_assign(
        school=world.school,
        lesson=lesson,
        substitute=world.staff["homeroom"],
        reason="болезнь",
        actor=world.users["deputy"],
    )
    assert "08:30" not in client_for("teacher").get("/").content.decode()
    body = client_for("homeroom").get("/").content.decode()
    assert "08:30" in body and "(замена)" in body


# --- Query counts ----------------------------------------------------------------


def grow(world, n_classes: int, tag: str):
    """More classes, groups, entries and lessons, each with a substitution."""
    subjects = [f.SubjectFactory(school=world.school, name=f"Предмет {tag}{i}") for i in range(3)]
    teachers = [f.StaffFactory(school=world.school) for _ in range(n_classes)]
    for i in range(n_classes):
        cls = f.ClassFactory(school=world.school, year=world.year, grade=7, letter=f"{tag}{i}")
        group = f.GroupFactory(school_class=cls, name=f"7{tag}{i}")
        for s in subjects:
            f.load(group, s, teachers[i], Decimal("1"))
            student = f.StudentFactory(school=world.school)
            f.enroll(student, cls)
        for n, s in enumerate(subjects, start=2):
            helpers.entry(
                world,
                weekday=1,
                number=n,
                group=group,
                subject=s,
                teacher=teachers[i],
                room=f"{tag}{i}-{n}",
            )
    services.lessons_materialise(
        school=world.school, start=dt.date(2026, 10, 5), end=dt.date(2026, 10, 12)
    )
    free = Lesson.objects.filter(
        date=dt.date(2026, 10, 5), number=2, substitution__isnull=True
    ).order_by("id")
    for lesson in free:
        services.substitution_assign(
            school=world.school,
            lesson=lesson,
            substitute=StaffMember.objects.create(
                school=world.school, last_name=f"Замена{lesson.pk}", first_name="Ольга"
            ),
            reason="болезнь",
            actor=None,
        )


def count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


QUERY_PAGES = [
    ("deputy", lambda w: reverse("schedule:timetable")),
    ("deputy", lambda w: reverse("schedule:bells")),
    ("deputy", lambda w: reverse("schedule:by_class", args=[w.school_class.pk])),
    ("deputy", lambda w: reverse("schedule:by_teacher", args=[w.staff["teacher"].pk])),
    ("deputy", lambda w: reverse("schedule:by_room", args=["12"])),
    ("deputy", lambda w: reverse("schedule:day") + "?date=2026-10-05"),
    ("deputy", lambda w: reverse("schedule:substitutions") + "?start=2026-10-01&end=2026-10-31"),
    ("teacher", lambda w: reverse("schedule:my_week")),
    ("teacher", lambda w: "/"),
]


@pytest.mark.parametrize("role,url", QUERY_PAGES)
def test_page_queries_do_not_grow_with_data(world, timetable, client_for, role, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure():
        client = client_for(role)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(world))
        assert response.status_code == 200
        return len(ctx.captured_queries), ctx

    measure()  # first visit: per-school settings rows are created on first use
    grow(world, 2, "К")
    small, _ = measure()
    grow(world, 8, "Л")
    large, ctx = measure()
    assert large == small, "\n".join(q["sql"] for q in ctx.captured_queries)


def test_lesson_page_queries_are_constant(
    world, timetable, client_for, django_assert_max_num_queries
):
    _, lesson = timetable
    client = client_for("deputy")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("schedule:lesson", args=[lesson.pk])).status_code == 200


def test_class_grid_shows_entries_and_offers_empty_slots_to_editors(world, timetable, client_for):
    url = reverse("schedule:by_class", args=[world.school_class.pk])
    body = client_for("deputy").get(url).content.decode()
    assert "Математика" in body and "каб. 12" in body
    assert f"?weekday=2&amp;number=1&amp;group={world.group.pk}" in body
    teacher_view = client_for("teacher").get(url).content.decode()
    assert "Математика" in teacher_view and "?weekday=" not in teacher_view


def test_day_page_lists_substitutions_first(world, timetable, client_for):
    _, lesson = timetable
    services.substitution_assign(
        school=world.school,
        lesson=lesson,
        substitute=world.staff["homeroom"],
        reason="болезнь",
        actor=world.users["deputy"],
    )
    body = client_for("deputy").get(reverse("schedule:day") + "?date=2026-10-05").content.decode()
    assert "Замены и изменения дня" in body
    assert (
        f'{world.staff["homeroom"].short_name} <span class="muted">(по расписанию — '
        f"{world.staff['teacher'].short_name})</span>" in body
    )


@pytest.mark.parametrize("role", sorted(set(ROLES) - EDITORS - {"anonymous"}))
def test_other_writes_are_refused_to_non_editors(world, timetable, client_for, role):
    from ejournal.schedule.models import BellSchedule, ScheduleChange, Substitution

    _, lesson = timetable
    sub = services.substitution_assign(
        school=world.school,
        lesson=lesson,
        substitute=world.staff["homeroom"],
        reason="болезнь",
        actor=None,
    )
    bell = BellSchedule.objects.get(school=world.school)
    client = client_for(role)
    posts = [
        (
            reverse("schedule:bell_edit", args=[bell.pk]),
            {"name": "X", "shift": "1", "kind": "regular", "slots": "1 08:00 08:45"},
        ),
        (reverse("schedule:substitution_cancel", args=[sub.pk]), {}),
        (
            reverse("schedule:extra"),
            {
                "group": world.group.pk,
                "subject": world.subject.pk,
                "teacher": world.staff["teacher"].pk,
                "date": "2026-10-07",
                "number": "6",
                "reason": "x",
            },
        ),
        (
            reverse("schedule:substitute_day")
            + f"?teacher={world.staff['teacher'].pk}&date=2026-10-05",
            {f"lesson_{lesson.pk}": world.staff["hr"].pk, "reason": "x"},
        ),
    ]
    for url, data in posts:
        status = client.post(url, data).status_code
        if role == "outsider" and "substitutions/day" in url:
            # An admin of another school may open the page, but our teacher is no choice.
            assert status == 200
        else:
            assert status == 404, url
    lesson.refresh_from_db()
    assert lesson.actual_teacher == world.staff["homeroom"]
    assert Substitution.objects.filter(pk=sub.pk, substitute=world.staff["homeroom"]).exists()
    assert not ScheduleChange.objects.exists()
    bell.refresh_from_db()
    assert bell.name == "Основное" and bell.slots.count() == 7


def test_the_start_page_leads_to_the_lesson_the_journal_and_the_class(world, timetable, client_for):
    """«Сегодня» leads somewhere: today's lesson opens in the journal in one click, each
    group × subject opens its journal, the homeroom class its roster and week of
    attendance; the schedule's lesson page links to the journal too."""
    import re

    _, lesson = timetable
    teacher = client_for("teacher")
    body = teacher.get("/").content.decode()
    lesson_url = reverse("journal:lesson", args=[lesson.pk])
    grid_url = reverse("journal:grid", args=[lesson.group_id, lesson.subject_id])
    assert f'href="{lesson_url}"' in body and f'href="{grid_url}"' in body
    assert teacher.get(lesson_url).status_code == 200
    assert teacher.get(grid_url).status_code == 200
    schedule_page = teacher.get(reverse("schedule:lesson", args=[lesson.pk])).content.decode()
    assert f'href="{lesson_url}"' in schedule_page and f'href="{grid_url}"' in schedule_page
    homeroom = client_for("homeroom")
    body = homeroom.get("/").content.decode()
    links = re.findall(r'href="(/(?:people/classes|journal/attendance)/\d+/)"', body)
    assert len(links) == 2
    assert all(homeroom.get(link).status_code == 200 for link in links)


def test_the_substitute_picker_lists_free_teachers_first_with_their_subjects(
    world, timetable, client_for
):
    """The homeroom teacher has a lesson of their own at the same time in 6Б, so the
    deputy sees the free staff first and the busy one last, each said so."""
    _, lesson = timetable
    other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
    history = f.SubjectFactory(school=world.school, name="История")
    f.load(other_group, history, world.staff["homeroom"], Decimal("2"))
    helpers.entry(world, weekday=1, number=1, group=other_group, subject=history,
                  teacher=world.staff["homeroom"], room="14")  # fmt: skip
    services.lessons_materialise(
        school=world.school, start=dt.date(2026, 10, 5), end=dt.date(2026, 10, 5)
    )
    page = client_for("deputy").get(reverse("schedule:lesson", args=[lesson.pk])).content.decode()
    select = page.split('name="sub-substitute"')[1].split("</select>")[0]
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)
    homeroom = world.staff["homeroom"].short_name
    busy = [o for o in options if "занят своим уроком" in o]
    assert busy == [f"{homeroom} — занят своим уроком (История)"]
    assert options[-1] == busy[0] and all("свободен" in o for o in options[:-1])
    assert not any(o.startswith(world.staff["teacher"].short_name) for o in options)  # absent
