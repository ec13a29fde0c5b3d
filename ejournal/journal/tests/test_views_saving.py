"""Saving through the HTTP endpoints: cells of the grid, the lesson page, corrections,
the homeroom teacher's reasons and the work types."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.journal.models import (
    Attendance,
    CorrectionRequest,
    Homework,
    LessonRecord,
    Mark,
    Work,
    WorkType,
)
from ejournal.journal.tests.page_helpers import Pages, at
from ejournal.testing import factories as f

CELLS = reverse("journal:cells_save")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pages(world):
    return Pages(world)


def post_cells(client, *cells):
    response = client.post(CELLS, data={"cells": list(cells)}, content_type="application/json")
    return response, json.loads(response.content)


def mark_cell(pages, student, value, version=None, work=None, lesson=None):
    work = pages.work if work is None else work
    return {
        "k": "m",
        "l": (lesson or pages.lesson).pk,
        "w": work.pk if work else None,
        "s": student.pk,
        "v": value,
        "ver": version,
    }


def test_teacher_saves_a_mark_and_gets_its_version(pages, client_for):
    student = pages.w.students[1]
    with at("2026-11-16 10:00"):
        response, data = post_cells(client_for("teacher"), mark_cell(pages, student, "5"))
    assert response.status_code == 200
    assert data["cells"] == [{"text": "5", "ver": 1, "c": "", "w": pages.work.pk}]
    assert Mark.objects.get(work=pages.work, student=student).numeric == 5
    assert AuditEvent.objects.filter(action="mark.created").count() == 1


def test_first_mark_of_a_lesson_without_works_creates_the_default_work(pages, client_for):
    lesson = pages.lesson_on(dt.date(2026, 11, 17))
    with at("2026-11-17 10:00"):
        response, data = post_cells(
            client_for("teacher"),
            mark_cell(pages, pages.w.students[0], "5", work=False, lesson=lesson),
            mark_cell(pages, pages.w.students[1], "4", work=False, lesson=lesson),
        )
    assert response.status_code == 200, data
    work = Work.objects.get(lesson=lesson)
    assert work.work_type.name == "Ответ на уроке"
    assert [c["w"] for c in data["cells"]] == [work.pk, work.pk]
    assert sorted(work.marks.values_list("value", flat=True)) == ["4", "5"]


def test_special_marks_and_the_debt_dot_are_saved_as_typed(pages, client_for):
    students = pages.w.students
    with at("2026-11-16 10:00"):
        response, data = post_cells(
            client_for("teacher"),
            mark_cell(pages, students[1], "н/а"),
            mark_cell(pages, students[2], "."),
        )
    assert response.status_code == 200
    assert [c["text"] for c in data["cells"]] == ["н/а", "•"]


def test_a_refused_mark_answers_422_with_the_russian_reason_and_changes_nothing(pages, client_for):
    with at("2026-11-30 10:00"):
        response, data = post_cells(
            client_for("teacher"), mark_cell(pages, pages.student, "5", version=1)
        )
    assert response.status_code == 422
    assert "Срок выставления отметок" in data["error"]
    assert "Подайте запрос на исправление" in data["error"]
    assert data["correctable"] is True and data["index"] == 0
    assert Mark.objects.get(work=pages.work, student=pages.student).value == "4"
    assert not AuditEvent.objects.filter(action__startswith="mark.").exists()


def test_an_unknown_mark_is_refused_with_the_allowed_values(pages, client_for):
    with at("2026-11-16 10:00"):
        response, data = post_cells(client_for("teacher"), mark_cell(pages, pages.student, "7"))
    assert response.status_code == 422
    assert "Недопустимая отметка «7»" in data["error"]


def test_a_conflict_returns_the_current_value(pages, client_for):
    # The teacher loaded the page before the mark «4» existed (version empty).
    with at("2026-11-16 10:00"):
        response, data = post_cells(client_for("teacher"), mark_cell(pages, pages.student, "5"))
    assert response.status_code == 409
    assert data["current"] == {"text": "4", "ver": 1, "c": ""}
    assert "уже изменена" in data["error"]
    assert Mark.objects.get(work=pages.work, student=pages.student).value == "4"


def test_a_batch_is_all_or_nothing(pages, client_for):
    students = pages.w.students
    with at("2026-11-16 10:00"):
        response, data = post_cells(
            client_for("teacher"),
            mark_cell(pages, students[1], "5"),
            mark_cell(pages, students[2], "3"),
            mark_cell(pages, students[0], "2"),  # stale: the mark «4» is version 1
        )
    assert response.status_code == 409 and data["index"] == 2
    assert list(Mark.objects.values_list("value", flat=True)) == ["4"]
    assert not AuditEvent.objects.filter(action__startswith="mark.").exists()


def test_a_batch_of_marks_and_attendance_is_saved_together(pages, client_for):
    students = pages.w.students
    with at("2026-11-16 10:00"):
        response, data = post_cells(
            client_for("teacher"),
            mark_cell(pages, students[1], "5"),
            mark_cell(pages, students[2], "3"),
            {"k": "a", "l": pages.lesson.pk, "s": students[2].pk, "v": "оп10", "ver": None},
        )
    assert response.status_code == 200
    assert [c["text"] for c in data["cells"]] == ["5", "3", "ОП10"]
    assert Attendance.objects.get(student=students[2]).late_minutes == 10


def test_clearing_an_absence_marks_the_student_present(pages, client_for):
    student = pages.w.students[1]
    with at("2026-11-16 10:00"):
        response, data = post_cells(
            client_for("teacher"),
            {"k": "a", "l": pages.lesson.pk, "s": student.pk, "v": "", "ver": 1},
        )
    assert response.status_code == 200 and data["cells"][0] == {"text": "", "ver": None, "w": None}
    assert not Attendance.objects.filter(student=student).exists()


def test_a_mark_for_a_student_not_in_the_group_on_that_day_is_refused(pages, client_for, world):
    late_comer = f.StudentFactory(school=world.school, last_name="Новенький")
    f.enroll(late_comer, world.school_class, date_from=dt.date(2026, 11, 20))
    with at("2026-11-16 10:00"):
        response, data = post_cells(client_for("teacher"), mark_cell(pages, late_comer, "5"))
    assert response.status_code == 422
    assert "не учится в группе" in data["error"]


def test_a_student_of_another_school_is_not_found(pages, client_for, world):
    stranger = f.StudentFactory(school=world.other_school)
    with at("2026-11-16 10:00"):
        response = client_for("teacher").post(
            CELLS,
            data={"cells": [mark_cell(pages, stranger, "5")]},
            content_type="application/json",
        )
    assert response.status_code == 404


def test_a_malformed_request_answers_400(pages, client_for):
    response = client_for("teacher").post(CELLS, data="{", content_type="application/json")
    assert response.status_code == 400
    assert "Не удалось разобрать запрос" in json.loads(response.content)["error"]


def test_the_substitute_writes_the_substituted_lesson_and_the_planned_teacher_does_not(
    pages, client_for, world
):
    substitute = world.staff["homeroom"]
    lesson = pages.lesson_on(dt.date(2026, 11, 17), actual_teacher=substitute)
    cell = mark_cell(pages, world.students[1], "5", work=False, lesson=lesson)
    with at("2026-11-17 10:00"):
        refused = client_for("teacher").post(
            CELLS, data={"cells": [cell]}, content_type="application/json"
        )
        response, _ = post_cells(client_for("homeroom"), cell)
        page = client_for("teacher").get(reverse("journal:lesson", args=[lesson.pk]))
    assert refused.status_code == 404
    assert response.status_code == 200
    assert page.status_code == 200 and "data-v=" not in page.content.decode()


# --- The lesson page ------------------------------------------------------------------------


def test_teacher_saves_the_topic_and_a_stale_version_is_a_conflict(pages, client_for):
    url = reverse("journal:lesson_record", args=[pages.lesson.pk])
    client = client_for("teacher")
    with at("2026-11-16 10:00"):
        response = client.post(url, {"topic": "Сложение дробей", "comment": "Хорошо"})
        assert response.status_code == 302
        stale = client.post(url, {"topic": "Другая тема", "version": ""})
    assert stale.status_code == 422
    assert "уже изменена" in stale.content.decode()
    assert LessonRecord.objects.get(lesson=pages.lesson).topic == "Сложение дробей"


def test_a_late_topic_change_is_refused_and_shown_locked(pages, client_for):
    url = reverse("journal:lesson_record", args=[pages.lesson.pk])
    with at("2026-11-30 10:00"):
        response = client_for("teacher").post(url, {"topic": "Поздно"})
        page = client_for("teacher").get(reverse("journal:lesson", args=[pages.lesson.pk]))
    assert response.status_code == 422
    assert "Тему урока можно было изменить до" in response.content.decode()
    assert not LessonRecord.objects.filter(lesson=pages.lesson).exists()
    assert "Подать запрос" in page.content.decode()


def test_teacher_posts_individual_homework_for_chosen_students(pages, client_for, world):
    url = reverse("journal:homework_create", args=[pages.lesson.pk])
    chosen = world.students[1]
    with at("2026-11-16 09:00"):
        response = client_for("teacher").post(url, {"text": "Карточка 3", "students": [chosen.pk]})
    assert response.status_code == 302
    homework = Homework.objects.get(text="Карточка 3")
    assert homework.is_individual and list(homework.students.all()) == [chosen]


def test_homework_for_a_student_of_another_class_is_refused(pages, client_for, world):
    url = reverse("journal:homework_create", args=[pages.lesson.pk])
    with at("2026-11-16 09:00"):
        response = client_for("teacher").post(
            url, {"text": "Карточка", "students": [world.other_child.pk]}
        )
    assert response.status_code == 422
    assert not Homework.objects.filter(text="Карточка").exists()


def test_an_attachment_of_a_forbidden_type_is_refused(pages, client_for):
    url = reverse("journal:homework_attach", args=[pages.homework.pk])
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream")
    with at("2026-11-16 09:00"):
        response = client_for("teacher").post(url, {"file": upload}, follow=True)
    assert "Файлы такого типа не принимаются" in response.content.decode()
    assert pages.homework.attachments.count() == 1


def test_teacher_adds_edits_and_deletes_a_work(pages, client_for):
    client = client_for("teacher")
    with at("2026-11-16 10:00"):
        response = client.post(
            reverse("journal:work_create", args=[pages.lesson.pk]),
            {"work_type": pages.types["Самостоятельная работа"].pk, "title": "Дроби"},
        )
        assert response.status_code == 302
        work = Work.objects.get(title="Дроби")
        response = client.post(
            reverse("journal:work_edit", args=[work.pk]),
            {"work_type": pages.types["Тест"].pk, "title": "Тест по дробям"},
        )
        assert response.status_code == 302
        work.refresh_from_db()
        assert work.work_type.name == "Тест" and work.title == "Тест по дробям"
        client.post(reverse("journal:work_delete", args=[work.pk]))
    assert not Work.objects.filter(pk=work.pk).exists()


def test_a_work_with_marks_is_not_deleted(pages, client_for):
    with at("2026-11-16 10:00"):
        response = client_for("teacher").post(
            reverse("journal:work_delete", args=[pages.work.pk]), follow=True
        )
    assert "сначала удалите их" in response.content.decode()
    assert Work.objects.filter(pk=pages.work.pk).exists()


# --- Corrections ----------------------------------------------------------------------------


def test_a_late_mark_goes_through_a_correction_request_approved_by_the_deputy(
    pages, client_for, world
):
    url = reverse("journal:correction_create", args=[pages.lesson.pk])
    with at("2026-11-30 10:00"):
        form = client_for("teacher").get(
            url + f"?kind=mark&work={pages.work.pk}&student={pages.student.pk}"
        )
        assert form.status_code == 200
        response = client_for("teacher").post(
            url,
            {
                "kind": "mark",
                "work": pages.work.pk,
                "student": pages.student.pk,
                "value": "5",
                "reason": "Ученик переписал работу",
            },
        )
        assert response.status_code == 302
        request_obj = CorrectionRequest.objects.get()
        assert Mark.objects.get(student=pages.student).value == "4"
        listing = client_for("deputy").get(reverse("journal:corrections")).content.decode()
        assert "Ученик переписал работу" in listing
        client_for("deputy").post(reverse("journal:correction_approve", args=[request_obj.pk]))
    request_obj.refresh_from_db()
    assert request_obj.status == "approved"
    assert Mark.objects.get(student=pages.student).value == "5"
    mine = client_for("teacher").get(reverse("journal:corrections")).content.decode()
    assert "одобрен" in mine


def test_rejecting_a_correction_needs_a_comment(pages, client_for, world):
    request_obj = CorrectionRequest.objects.create(
        school=world.school,
        lesson=pages.lesson,
        kind="topic",
        new_value={"topic": "Дроби"},
        reason="Опечатка в теме",
        requested_by=world.users["teacher"],
    )
    url = reverse("journal:correction_reject", args=[request_obj.pk])
    response = client_for("deputy").post(url, {"comment": ""}, follow=True)
    assert "Укажите, почему запрос отклонён" in response.content.decode()
    request_obj.refresh_from_db()
    assert request_obj.status == "pending"
    client_for("deputy").post(url, {"comment": "Тема верна"})
    request_obj.refresh_from_db()
    assert request_obj.status == "rejected" and request_obj.decision_comment == "Тема верна"


def test_a_correction_while_the_window_is_open_is_refused(pages, client_for):
    url = reverse("journal:correction_create", args=[pages.lesson.pk])
    with at("2026-11-16 10:00"):
        response = client_for("teacher").post(
            url, {"kind": "topic", "value": "Дроби", "reason": "Опечатка в теме"}
        )
    assert response.status_code == 422
    assert "Срок ещё не истёк" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


# --- Homeroom teacher -----------------------------------------------------------------------


def test_homeroom_teacher_sets_a_reason_and_confirms_the_week(pages, client_for, world):
    absence = Attendance.objects.get(student=world.students[1])
    client = client_for("homeroom")
    week = reverse("journal:attendance_week", args=[world.school_class.pk])
    with at("2026-11-18 10:00"):
        page = client.get(week + "?week=2026-11-16")
        assert world.students[1].short_name in page.content.decode()
        client.post(
            reverse("journal:attendance_reason", args=[world.school_class.pk]),
            {"attendance": absence.pk, "value": "б", "version": absence.version, "week": ""},
        )
        client.post(
            reverse("journal:attendance_verify", args=[world.school_class.pk]),
            {"week": "2026-11-16"},
        )
    absence.refresh_from_db()
    assert absence.code == "b" and absence.verified_at is not None


def test_a_stale_reason_is_a_conflict(pages, client_for, world):
    absence = Attendance.objects.get(student=world.students[1])
    with at("2026-11-18 10:00"):
        response = client_for("homeroom").post(
            reverse("journal:attendance_reason", args=[world.school_class.pk]),
            {"attendance": absence.pk, "value": "уп", "version": 7, "week": ""},
            follow=True,
        )
    assert "уже изменена" in response.content.decode()
    absence.refresh_from_db()
    assert absence.code == "n"


# --- Work types -----------------------------------------------------------------------------


def test_deputy_changes_a_weight(pages, client_for):
    work_type = pages.types["Тест"]
    url = reverse("journal:work_type_edit", args=[work_type.pk])
    response = client_for("deputy").post(
        url,
        {
            "name": "Тест",
            "short_name": "Т",
            "category": "written",
            "weight": "1,5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    work_type.refresh_from_db()
    assert str(work_type.weight) == "1.5" and work_type.short_name == "Т"


def test_a_bad_weight_is_refused_with_a_message(pages, client_for):
    work_type = pages.types["Тест"]
    url = reverse("journal:work_type_edit", args=[work_type.pk])
    response = client_for("deputy").post(
        url, {"name": "Тест", "category": "written", "weight": "20"}
    )
    assert response.status_code == 422
    assert "не больше 10" in response.content.decode()
    work_type.refresh_from_db()
    assert str(work_type.weight) == "1.0"


def test_first_open_creates_the_standard_work_types(world, client_for):
    response = client_for("admin").get(reverse("journal:work_types"))
    assert response.status_code == 200
    assert WorkType.objects.filter(school=world.school).count() == 13
    assert "Контрольная работа" in response.content.decode()


def test_a_mark_comment_is_saved_and_kept_when_the_value_changes(pages, client_for):
    client = client_for("teacher")
    with at("2026-11-16 10:00"):
        cell = mark_cell(pages, pages.student, "4", version=1)
        response, data = post_cells(client, {**cell, "c": "Устный ответ у доски"})
        assert response.status_code == 200 and data["cells"][0]["c"] == "Устный ответ у доски"
        response, data = post_cells(client, mark_cell(pages, pages.student, "5", version=2))
    assert response.status_code == 200
    mark = Mark.objects.get(work=pages.work, student=pages.student)
    assert mark.value == "5" and mark.comment == "Устный ответ у доски"


def test_a_work_of_another_lesson_is_not_found(pages, client_for):
    other = pages.lesson_on(dt.date(2026, 11, 16), number=2)
    cell = mark_cell(pages, pages.w.students[1], "5", lesson=other)  # pages.work is lesson 1's
    with at("2026-11-16 10:00"):
        response = client_for("teacher").post(
            CELLS, data={"cells": [cell]}, content_type="application/json"
        )
    assert response.status_code == 404
    assert Mark.objects.count() == 1


def test_a_missing_attachment_file_answers_404(pages, client_for):
    pages.attachment.file.delete(save=False)
    url = reverse("journal:attachment_download", args=[pages.attachment.pk])
    assert client_for("teacher").get(url).status_code == 404


def test_a_save_sends_back_the_new_average_and_debts_of_the_rows_it_touched(pages, client_for):
    _, second, first = pages.w.students  # the first of them has a mark already
    earlier = pages.lesson_on(dt.date(2026, 11, 17))
    control = Work.objects.create(lesson=earlier, work_type=pages.types["Контрольная работа"])
    totals = {"from": "2026-11-01", "to": "2026-12-28"}
    client = client_for("teacher")
    with at("2026-11-17 10:00"):
        post_cells(client, mark_cell(pages, first, "3"), mark_cell(pages, second, "."))
        response = client.post(
            CELLS,
            data={"cells": [mark_cell(pages, first, "5", work=control, lesson=earlier)],
                  "totals": totals},
            content_type="application/json",
        )  # fmt: skip
    data = json.loads(response.content)
    # «Ответ на уроке» 3 (weight 1) and «Контрольная работа» 5 (weight 2): 13 / 3.
    assert data["rows"] == {str(first.pk): {"avg": "4,33", "hint": 4, "debts": 0}}
    with at("2026-11-17 10:00"):
        response = client.post(
            CELLS,
            data={"cells": [mark_cell(pages, second, "", version=1)], "totals": totals},
            content_type="application/json",
        )
    assert json.loads(response.content)["rows"] == {
        str(second.pk): {"avg": "", "hint": None, "debts": 0}
    }
    # The grid shows the same figures after a reload.
    with at("2026-11-17 10:00"):
        page = client.get(reverse("journal:grid", args=[pages.w.group.pk, pages.w.subject.pk]))
    assert "4,33" in page.content.decode()


def test_a_bad_totals_range_is_refused_and_nothing_is_saved(pages, client_for):
    marks = list(Mark.objects.values_list("student", "value"))
    with at("2026-11-16 10:00"):
        for totals in ({"from": "2026-12-01", "to": "2026-11-01"}, {"from": "вчера"}, [1]):
            response = client_for("teacher").post(
                CELLS,
                data={"cells": [mark_cell(pages, pages.w.students[2], "5")], "totals": totals},
                content_type="application/json",
            )
            assert response.status_code == 400
            assert json.loads(response.content) == {
                "error": "Не удалось разобрать запрос. Обновите страницу."
            }
    assert list(Mark.objects.values_list("student", "value")) == marks
