"""Writing the journal through the API: the journal's own services, windows, versions,
all-or-nothing batches, audit; errors in the one JSON shape with the rule's Russian text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from ejournal.api.tests.conftest import at
from ejournal.audit.models import AuditEvent
from ejournal.journal.models import Attendance, Homework, LessonRecord, Mark, Work


def put(client, url, body):
    return client.put(url, body, content_type="application/json")


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def teacher(api):
    return api.client("teacher", write=True)


def test_teacher_sets_a_mark_and_sees_it_in_the_lesson(teacher, world, journal):
    student = world.students[1]
    url = f"/api/v1/lessons/{journal.lesson.pk}"
    with at("2026-11-16 10:00"):
        response = put(
            teacher, url + "/marks", {"items": [{"student_id": student.pk, "value": "5"}]}
        )
        assert response.status_code == 200, response.content
        saved = response.json()["items"][0]
        assert saved["mark"]["display"] == "5" and saved["mark"]["version"] == 1
        detail = teacher.get(url).json()
    assert detail["writable"] is True
    assert [m["value"] for m in detail["marks"]] == ["5"]
    assert {s["id"] for s in detail["students"]} == {s.pk for s in world.students}
    assert detail["works"][0]["work_type"]["name"] == "Ответ на уроке"
    assert AuditEvent.objects.filter(action="mark.created").count() == 1


def test_stale_version_is_a_409_conflict_with_the_current_value(teacher, world, journal):
    student = world.students[1]
    url = f"/api/v1/lessons/{journal.lesson.pk}/marks"
    with at("2026-11-16 10:00"):
        put(teacher, url, {"items": [{"student_id": student.pk, "value": "4"}]})
        response = put(teacher, url, {"items": [{"student_id": student.pk, "value": "3"}]})
    assert response.status_code == 409
    body = error(response)
    assert body["code"] == "conflict"
    assert "изменена другим пользователем" in body["message"]
    assert body["details"]["current"]["value"] == "4"
    assert Mark.objects.get(student=student).value == "4"


def test_marks_after_the_window_are_refused_with_the_rule_message(teacher, world, journal):
    url = f"/api/v1/lessons/{journal.lesson.pk}/marks"
    with at("2026-11-30 10:00"):
        response = put(
            teacher, url, {"items": [{"student_id": world.students[1].pk, "value": "5"}]}
        )
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "rule_refused"
    assert body["message"].startswith("Срок выставления отметок за работу «Ответ на уроке» истёк")
    assert body["details"] == {"index": 0, "correctable": True}
    assert not Mark.objects.exists()


def test_attendance_only_on_the_lesson_day(teacher, world, journal):
    url = f"/api/v1/lessons/{journal.lesson.pk}/attendance"
    body = {"items": [{"student_id": world.students[2].pk, "value": "оп10"}]}
    with at("2026-11-17 10:00"):
        response = put(teacher, url, body)
    assert response.status_code == 422
    assert error(response)["message"].startswith("Посещаемость отмечается только в день урока")
    assert not Attendance.objects.exists()
    with at("2026-11-16 10:00"):
        response = put(teacher, url, body)
    assert response.status_code == 200
    assert response.json()["items"][0]["attendance"]["display"] == "ОП 10 мин"


def test_nothing_is_entered_for_a_future_lesson(teacher, world, journal):
    url = f"/api/v1/lessons/{journal.lesson.pk}/marks"
    with at("2026-11-15 10:00"):
        response = put(
            teacher, url, {"items": [{"student_id": world.students[1].pk, "value": "5"}]}
        )
    assert response.status_code == 422
    assert error(response)["message"] == "Урок ещё не прошёл: заполнить его можно в день урока."


def test_a_batch_is_all_or_nothing(teacher, world, journal):
    url = f"/api/v1/lessons/{journal.lesson.pk}/marks"
    items = [
        {"student_id": world.students[1].pk, "value": "5"},
        {"student_id": world.students[2].pk, "value": "7"},
    ]
    with at("2026-11-16 10:00"):
        response = put(teacher, url, {"items": items})
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "invalid" and body["details"]["index"] == 1
    assert "Недопустимая отметка «7»" in body["message"]
    assert not Mark.objects.exists()


def test_a_student_of_another_class_is_refused(teacher, world, journal):
    url = f"/api/v1/lessons/{journal.lesson.pk}/marks"
    with at("2026-11-16 10:00"):
        response = put(
            teacher, url, {"items": [{"student_id": world.other_child.pk, "value": "5"}]}
        )
    assert response.status_code == 422
    message = error(response)["message"]
    assert "не учится в группе" in message
    # The refusal does not tell whose id it was (any id of the school can be tried).
    assert world.other_child.last_name not in message
    assert world.other_child.first_name not in message


def test_unknown_student_or_work_is_404(teacher, world, journal):
    url = f"/api/v1/lessons/{journal.lesson.pk}/marks"
    other_work = Work.objects.create(lesson=journal.other_lesson, work_type=journal.types["Тест"])
    with at("2026-11-16 10:00"):
        assert (
            put(teacher, url, {"items": [{"student_id": 999999, "value": "5"}]}).status_code == 404
        )
        response = put(
            teacher,
            url,
            {
                "items": [
                    {"student_id": world.students[1].pk, "work_id": other_work.pk, "value": "5"}
                ]
            },
        )
    assert response.status_code == 404


def test_topic_with_versions(teacher, journal):
    url = f"/api/v1/lessons/{journal.lesson.pk}/topic"
    with at("2026-11-16 10:00"):
        first = put(teacher, url, {"topic": "Дроби", "comment": "устный счёт"})
        assert first.status_code == 200 and first.json()["version"] == 1
        second = put(teacher, url, {"topic": "Сложение дробей", "version": 1})
        assert second.json() == {"topic": "Сложение дробей", "comment": "", "version": 2}
        stale = put(teacher, url, {"topic": "Иное", "version": 1})
    assert stale.status_code == 409
    assert LessonRecord.objects.get(lesson=journal.lesson).topic == "Сложение дробей"


def test_control_work_then_topic_is_required(teacher, journal):
    base = f"/api/v1/lessons/{journal.lesson.pk}"
    with at("2026-11-16 10:00"):
        work = post(
            teacher, base + "/works", {"work_type_id": journal.types["Контрольная работа"].pk}
        )
        assert work.status_code == 201
        assert work.json()["work_type"]["short_name"] == "КР"
        response = put(teacher, base + "/topic", {"topic": ""})
    assert response.status_code == 422
    assert error(response)["message"].startswith("Тема обязательна")


def test_unknown_work_type_is_refused(teacher, journal):
    with at("2026-11-16 10:00"):
        response = post(teacher, f"/api/v1/lessons/{journal.lesson.pk}/works", {"work_type_id": 0})
    assert response.status_code == 422
    assert error(response)["message"] == "Выберите вид работы из списка школы."


def test_homework_create_update_delete_within_the_window(teacher, world, journal):
    with at("2026-11-16 10:00"):
        created = post(
            teacher,
            f"/api/v1/lessons/{journal.lesson.pk}/homework",
            {"text": "№ 12, 14", "due_date": "2026-11-18", "student_ids": [world.students[1].pk]},
        )
        assert created.status_code == 201, created.content
        hw = created.json()
        assert hw["individual"] is True and hw["student_ids"] == [world.students[1].pk]
        updated = put(
            teacher,
            f"/api/v1/homework/{hw['id']}",
            {"text": "№ 15", "due_date": "2026-11-18", "version": hw["version"]},
        )
        assert updated.status_code == 200
        assert updated.json()["text"] == "№ 15" and updated.json()["individual"] is False
    with at("2026-11-16 12:00"):
        late = put(teacher, f"/api/v1/homework/{hw['id']}", {"text": "поздно", "version": 2})
        assert late.status_code == 422
        assert error(late)["code"] == "rule_refused"
        assert "можно было задать или изменить до 11:15 16.11.2026" in error(late)["message"]
    with at("2026-11-16 10:30"):
        assert teacher.delete(f"/api/v1/homework/{hw['id']}").status_code == 204
    assert not Homework.objects.exists()
    assert AuditEvent.objects.filter(action="homework.deleted").exists()


def test_another_teacher_cannot_touch_homework(api, world, journal):
    with at("2026-11-16 10:00"):
        hw = post(
            api.client("teacher", write=True),
            f"/api/v1/lessons/{journal.lesson.pk}/homework",
            {"text": "№ 1"},
        ).json()
        other = api.client("other_teacher", write=True)
        assert (
            put(other, f"/api/v1/homework/{hw['id']}", {"text": "x", "version": 1}).status_code
            == 404
        )
        assert other.delete(f"/api/v1/homework/{hw['id']}").status_code == 404
    assert Homework.objects.get().text == "№ 1"


def test_malformed_body_is_a_422_in_the_error_shape(teacher, journal):
    response = put(teacher, f"/api/v1/lessons/{journal.lesson.pk}/marks", {"items": "много"})
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "validation_error"
    assert body["details"][0]["loc"][0] == "body"


# --- Session authentication ----------------------------------------------------------------


def test_the_signed_in_web_session_works_and_writes_need_csrf(world, journal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["teacher"])
    assert client.get("/api/v1/me").json()["username"] == "teacher"
    url = f"/api/v1/lessons/{journal.lesson.pk}/topic"
    with at("2026-11-16 10:00"):
        refused = put(client, url, {"topic": "Дроби"})
        assert refused.status_code == 403
        assert error(refused)["code"] == "csrf_failed"
        client.get("/api/tokens/")  # sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        accepted = client.put(
            url, {"topic": "Дроби"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
        )
    assert accepted.status_code == 200
    assert LessonRecord.objects.get(lesson=journal.lesson).updated_by == world.users["teacher"]


def test_dates_are_iso_8601(api, journal):
    with at("2026-11-16 10:00"):
        lesson = api.client("teacher").get(f"/api/v1/lessons/{journal.lesson.pk}").json()
    assert lesson["date"] == "2026-11-16"
    assert lesson["start_time"] == "09:00"
    dt.date.fromisoformat(lesson["date"])
