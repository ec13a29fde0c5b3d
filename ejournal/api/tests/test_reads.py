"""What the read endpoints return: the diary, code names, keyset pages, messaging, limits."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from ejournal.api.tests.conftest import at
from ejournal.journal.models import Attendance, Homework, Mark, Work
from ejournal.messaging.models import Announcement, Conversation, Message, Participant
from ejournal.testing import factories as f


@pytest.fixture
def marked(world, journal):
    """The child got a 5 for a test and was late; homework is due on Wednesday."""
    work = Work.objects.create(
        lesson=journal.lesson, work_type=journal.types["Тест"], title="Дроби"
    )
    Mark.objects.create(work=work, student=world.child, value="5", numeric=5, comment="Молодец")
    Attendance.objects.create(lesson=journal.lesson, student=world.child, code="op", late_minutes=5)
    Homework.objects.create(lesson=journal.lesson, text="№ 7", due_date=dt.date(2026, 11, 18))
    return work


def test_diary_week_shows_marks_attendance_and_homework(api, world, marked):
    with at("2026-11-16 18:00"):
        week = api.client("parent").get(f"/api/v1/students/{world.child.pk}/diary").json()
    assert week["start"] == "2026-11-16" and week["end"] == "2026-11-22"
    monday = week["days"][0]
    lesson = monday["lessons"][0]
    assert lesson["subject"] == "Математика"
    assert lesson["marks"][0] | {"date": None} == {
        "value": "5",
        "display": "5",
        "numeric": 5,
        "work_type": "Тест",
        "weight": "1.0",
        "title": "Дроби",
        "comment": "Молодец",
        "is_makeup": False,
        "date": None,
    }
    assert lesson["attendance"] == "ОП 5 мин"
    assert lesson["homework_assigned"][0]["text"] == "№ 7"


def test_marks_homework_and_attendance_of_the_period(api, world, marked):
    client = api.client("student")
    with at("2026-11-16 18:00"):
        marks = client.get(f"/api/v1/students/{world.child.pk}/marks").json()
        homework = client.get(f"/api/v1/students/{world.child.pk}/homework").json()
        attendance = client.get(f"/api/v1/students/{world.child.pk}/attendance").json()
    assert marks["period"]["name"] == "2 четверть"
    assert marks["subjects"][0]["average"] == "5.00"
    assert marks["subjects"][0]["rating"] == {"position": 1, "total": 1}
    assert [h["text"] for h in homework] == ["№ 7"]
    assert attendance["period_counts"]["late"] == 1
    assert attendance["absences"][0]["display"] == "ОП 5 мин"


def test_pseudonymised_student_appears_only_by_code(api, world, journal, marked):
    child = world.child
    child.pseudonym = "Ученик 1"
    child.save()
    with at("2026-11-16 10:00"):
        roster = api.client("homeroom").get(f"/api/v1/classes/{world.school_class.pk}/students")
        lesson = api.client("teacher").get(f"/api/v1/lessons/{journal.lesson.pk}")
        week = api.client("parent").get(f"/api/v1/students/{child.pk}/diary")
        me = api.client("parent").get("/api/v1/me")
    for response in (roster, lesson, week, me):
        assert response.status_code == 200
        text = json.dumps(response.json(), ensure_ascii=False)
        assert "Ученик 1" in text
        assert child.last_name not in text
    # Sorted by the name shown: «Ученик 1» before «Ученик01…», wherever its real surname
    # would put it.
    items = roster.json()["items"]
    assert items[0] == {"id": child.pk, "name": "Ученик 1", "pseudonymised": True}


def test_keyset_pages_walk_every_row_once(api, world, journal):
    for number in range(2, 9):
        f.make_lesson(world.group, world.subject, journal.teacher, dt.date(2026, 11, 17), number)
    client = api.client("deputy")
    seen, cursor = [], None
    with at("2026-11-16 10:00"):
        while True:
            url = "/api/v1/lessons?date_from=2026-11-16&date_to=2026-11-22&limit=3"
            page = client.get(url + (f"&cursor={cursor}" if cursor else "")).json()
            seen += [(i["date"], i["number"], i["id"]) for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert len(seen) == len(set(seen)) == 9  # 7 + this teacher's and the other teacher's
    assert seen == sorted(seen)


def test_a_broken_cursor_is_a_400(api, world):
    response = api.client("admin").get("/api/v1/classes?cursor=bm9wZQ")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_too_long_date_range_is_refused(api, world):
    response = api.client("admin").get("/api/v1/lessons?date_from=2026-09-01&date_to=2027-05-31")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Период не длиннее 93 дней."


def test_conversations_and_announcements(api, world):
    teacher, parent = world.users["teacher"], world.users["parent"]
    conversation = Conversation.objects.create(
        school=world.school,
        subject="Контрольная",
        created_by=teacher,
        last_message_at=timezone.now(),
    )
    Participant.objects.create(conversation=conversation, user=teacher)
    Participant.objects.create(conversation=conversation, user=parent)
    Message.objects.create(
        conversation=conversation, sender=teacher, body="<p>Готовьтесь</p>", student=world.child
    )
    Announcement.objects.create(
        school=world.school,
        audience="school",
        title="Собрание",
        body="<p>В четверг</p>",
        publish_from=dt.date(2026, 11, 1),
    )
    Announcement.objects.create(
        school=world.school,
        audience="staff",
        title="Педсовет",
        body="<p>Только для учителей</p>",
        publish_from=dt.date(2026, 11, 1),
    )
    client = api.client("parent")
    with at("2026-11-16 10:00"):
        inbox = client.get("/api/v1/conversations").json()
        detail = client.get(f"/api/v1/conversations/{conversation.pk}").json()
        family = client.get("/api/v1/announcements").json()["items"]
        staff = api.client("teacher").get("/api/v1/announcements").json()["items"]
        stranger = api.client("other_parent").get(f"/api/v1/conversations/{conversation.pk}")
    assert inbox["items"][0]["unread"] == 1
    assert detail["messages"][0]["body"] == "<p>Готовьтесь</p>"
    assert detail["messages"][0]["student"] == world.child.full_name
    assert [a["title"] for a in family] == ["Собрание"]
    assert {a["title"] for a in staff} == {"Собрание", "Педсовет"}
    assert stranger.status_code == 404


# --- Rate limits -------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT_TOKEN="3/min", API_RATE_LIMIT_IP="")
def test_a_token_over_its_rate_gets_429_with_retry_after(api, world):
    client = api.client("teacher")
    codes = [client.get("/api/v1/me").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()["error"]
    assert body["code"] == "rate_limited" and "Слишком много запросов" in body["message"]
    # Another token of another user is counted apart.
    assert api.client("parent").get("/api/v1/me").status_code == 200


@override_settings(API_RATE_LIMIT_TOKEN="", API_RATE_LIMIT_IP="2/min")
def test_an_address_over_its_rate_gets_429_even_without_a_valid_token(api, world):
    client = api.client("anonymous")
    codes = [client.get("/api/v1/me").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert int(client.get("/api/v1/me")["Retry-After"]) >= 1
    other_address = api.client("teacher").get("/api/v1/me", REMOTE_ADDR="10.9.9.9")
    assert other_address.status_code == 200


@override_settings(API_RATE_LIMIT_TOKEN="2/min", API_RATE_LIMIT_IP="")
def test_api_limits_count_in_the_shared_rate_limit_cache(api, world):
    """The per-process default cache would multiply a limit by the workers; the API counts
    where sign-ins and /webapi do (RATE_LIMIT_CACHE: Redis or a shared directory)."""
    client = api.client("teacher")
    assert [client.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    caches["default"].clear()
    assert client.get("/api/v1/me").status_code == 429
    caches[settings.RATE_LIMIT_CACHE].clear()
    assert client.get("/api/v1/me").status_code == 200


def test_timetable_of_a_class(api, world, journal):
    with at("2026-11-16 10:00"):
        page = api.client("hr").get(f"/api/v1/timetable?class_id={world.school_class.pk}").json()
        other = api.client("hr").get(f"/api/v1/timetable?class_id={world.other_class.pk}").json()
    assert [
        (e["weekday"], e["number"], e["subject"]["name"], e["room"]) for e in page["items"]
    ] == [(1, 1, "Математика", "12")]
    assert other["items"] == []


def test_announcements_come_in_pages_newest_first(api, world):
    for day in range(1, 6):
        Announcement.objects.create(
            school=world.school,
            audience="school",
            title=f"День {day}",
            body="…",
            publish_from=dt.date(2026, 11, day),
        )
    client = api.client("parent")
    titles, cursor = [], None
    with at("2026-11-16 10:00"):
        while True:
            url = "/api/v1/announcements?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(url).json()
            titles += [a["title"] for a in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert titles == [f"День {day}" for day in range(5, 0, -1)]
