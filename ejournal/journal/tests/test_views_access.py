"""Who may open which journal page: every page and endpoint, every role."""

import pytest
from django.urls import reverse

from ejournal.journal.models import CorrectionRequest
from ejournal.journal.tests.page_helpers import Pages, at
from ejournal.testing import factories as f

READ_ONLY = ["homeroom", "deputy", "director", "admin"]
NEVER = ["other_teacher", "student", "parent", "other_parent", "inspector", "outsider"]
FAMILY_AND_OUTSIDE = ["student", "parent", "other_parent", "inspector", "outsider"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pages(world):
    return Pages(world)


def _grid_url(pages):
    return reverse("journal:grid", args=[pages.w.group.pk, pages.w.subject.pk])


def test_anonymous_is_sent_to_sign_in_from_every_page(pages, client_for):
    client = client_for("anonymous")
    for url in [
        reverse("journal:index"),
        _grid_url(pages),
        reverse("journal:lesson", args=[pages.lesson.pk]),
        reverse("journal:corrections"),
        reverse("journal:work_types"),
        reverse("journal:attachment_download", args=[pages.attachment.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


@pytest.mark.parametrize("role", ["teacher", *READ_ONLY])
def test_staff_who_read_the_journal_open_the_grid(pages, client_for, role):
    with at("2026-11-16 10:00"):
        response = client_for(role).get(_grid_url(pages))
    assert response.status_code == 200
    body = response.content.decode()
    assert pages.student.short_name in body
    assert ("data-v=" in body) is (role == "teacher")


@pytest.mark.parametrize("role", NEVER)
def test_others_never_reach_the_grid(pages, client_for, role):
    assert client_for(role).get(_grid_url(pages)).status_code == 404


@pytest.mark.parametrize("role", ["teacher", *READ_ONLY])
def test_staff_who_read_the_journal_open_the_lesson_page(pages, client_for, role):
    with at("2026-11-16 10:00"):
        response = client_for(role).get(reverse("journal:lesson", args=[pages.lesson.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "№ 12, 14" in body
    assert ("Сохранить тему" in body) is (role == "teacher")


@pytest.mark.parametrize("role", NEVER)
def test_others_never_reach_the_lesson_page(pages, client_for, role):
    url = reverse("journal:lesson", args=[pages.lesson.pk])
    assert client_for(role).get(url).status_code == 404


@pytest.mark.parametrize("role", ["teacher", *READ_ONLY])
def test_journal_readers_download_attachments_as_files(pages, client_for, role):
    url = reverse("journal:attachment_download", args=[pages.attachment.pk])
    response = client_for(role).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).decode() == "Задача 1"


@pytest.mark.parametrize("role", NEVER)
def test_others_never_download_attachments(pages, client_for, role):
    url = reverse("journal:attachment_download", args=[pages.attachment.pk])
    assert client_for(role).get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "sees_group"),
    [
        ("teacher", True),
        ("homeroom", True),
        ("deputy", True),
        ("director", True),
        ("admin", True),
        ("other_teacher", False),
        ("outsider", False),
    ],
)
def test_journal_list_shows_only_reachable_journals(pages, client_for, role, sees_group):
    response = client_for(role).get(reverse("journal:index"))
    assert response.status_code == 200
    assert (_grid_url(pages) in response.content.decode()) is sees_group


@pytest.mark.parametrize("role", ["student", "parent", "other_parent", "inspector"])
def test_family_and_inspector_have_no_journal_list(pages, client_for, role):
    assert client_for(role).get(reverse("journal:index")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("deputy", 200),
        ("director", 200),  # reads them; edits nothing (accounts/tests/test_director_reads.py)
        ("teacher", 404),
        ("homeroom", 404),
        ("student", 404),
        ("parent", 404),
        ("inspector", 404),
    ],
)
def test_work_types_settings_are_for_admin_and_deputy(pages, client_for, role, status):
    assert client_for(role).get(reverse("journal:work_types")).status_code == status


def test_outsider_admin_does_not_edit_our_work_types(pages, client_for):
    work_type = pages.types["Тест"]
    url = reverse("journal:work_type_edit", args=[work_type.pk])
    assert client_for("outsider").get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("homeroom", 200), ("teacher", 404), ("deputy", 404), ("parent", 404), ("outsider", 404)],
)
def test_attendance_week_is_for_the_homeroom_teacher_of_the_class(pages, client_for, role, status):
    url = reverse("journal:attendance_week", args=[pages.w.school_class.pk])
    assert client_for(role).get(url + "?week=2026-11-16").status_code == status


@pytest.mark.parametrize("role", ["homeroom", "deputy", "director", "admin", *NEVER])
def test_only_the_lessons_teacher_reaches_the_write_endpoints(pages, client_for, role):
    client = client_for(role)
    lesson = pages.lesson
    student = pages.student
    posts = [
        (reverse("journal:lesson_record", args=[lesson.pk]), {"topic": "Дроби"}),
        (reverse("journal:homework_create", args=[lesson.pk]), {"text": "№ 1"}),
        (reverse("journal:homework_delete", args=[pages.homework.pk]), {}),
        (reverse("journal:work_create", args=[lesson.pk]), {"work_type": pages.types["Тест"].pk}),
        (reverse("journal:work_delete", args=[pages.work.pk]), {}),
        (reverse("journal:correction_create", args=[lesson.pk]), {"kind": "topic"}),
    ]
    with at("2026-11-16 10:00"):
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url
        response = client.post(
            reverse("journal:cells_save"),
            data={
                "cells": [
                    {
                        "k": "m",
                        "l": lesson.pk,
                        "w": pages.work.pk,
                        "s": student.pk,
                        "v": "5",
                        "ver": 1,
                    }
                ]
            },
            content_type="application/json",
        )
        assert response.status_code == 404
    assert pages.work.marks.get().value == "4"
    assert not lesson.homework.exclude(pk=pages.homework.pk).exists()


def test_teacher_of_another_class_cannot_open_edit_pages(pages, client_for):
    client = client_for("other_teacher")
    for url in [
        reverse("journal:work_edit", args=[pages.work.pk]),
        reverse("journal:homework_edit", args=[pages.homework.pk]),
        reverse("journal:correction_create", args=[pages.lesson.pk]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ["teacher", "homeroom", "director", "admin", *FAMILY_AND_OUTSIDE])
def test_only_the_deputy_decides_corrections(pages, client_for, role, world):
    request_obj = CorrectionRequest.objects.create(
        school=world.school,
        lesson=pages.lesson,
        kind="topic",
        new_value={"topic": "Дроби"},
        reason="Опечатка в теме",
        requested_by=world.users["teacher"],
    )
    client = client_for(role)
    approve = reverse("journal:correction_approve", args=[request_obj.pk])
    reject = reverse("journal:correction_reject", args=[request_obj.pk])
    assert client.post(approve).status_code == 404
    assert client.post(reject, {"comment": "нет"}).status_code == 404
    request_obj.refresh_from_db()
    assert request_obj.status == "pending"


@pytest.mark.parametrize("role", ["teacher", "homeroom", "deputy", "director", "admin"])
def test_staff_see_the_corrections_page(pages, client_for, role):
    assert client_for(role).get(reverse("journal:corrections")).status_code == 200


WRITE_PAGES = ["work_edit", "homework_edit", "correction_create"]


def _write_page_urls(pages):
    return {
        "work_edit": reverse("journal:work_edit", args=[pages.work.pk]),
        "homework_edit": reverse("journal:homework_edit", args=[pages.homework.pk]),
        "correction_create": reverse("journal:correction_create", args=[pages.lesson.pk]),
    }


@pytest.mark.parametrize("page", WRITE_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 200)] + [(r, 404) for r in READ_ONLY + NEVER] + [("anonymous", 302)],
)
def test_edit_pages_open_only_for_the_lessons_teacher(pages, client_for, page, role, status):
    with at("2026-11-16 10:00"):
        response = client_for(role).get(_write_page_urls(pages)[page])
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 200), *[(r, 200) for r in READ_ONLY], ("other_teacher", 404)]
    + [(r, 404) for r in FAMILY_AND_OUTSIDE]
    + [("anonymous", 302)],
)
def test_a_chosen_period_of_the_grid(pages, client_for, world, role, status):
    from ejournal.school.models import StudyPeriod

    period = StudyPeriod.objects.get(band__year=world.year, number=1)
    url = reverse("journal:grid_period", args=[world.group.pk, world.subject.pk, period.pk])
    assert client_for(role).get(url).status_code == status


def test_a_period_of_another_school_is_not_found(pages, client_for, world):
    other_year = f.YearFactory(school=world.other_school)
    period = f.PeriodFactory(band=f.BandFactory(year=other_year))
    url = reverse("journal:grid_period", args=[world.group.pk, world.subject.pk, period.pk])
    assert client_for("deputy").get(url).status_code == 404


def test_the_cells_endpoint_sends_anonymous_users_to_sign_in(pages, client_for):
    response = client_for("anonymous").post(
        reverse("journal:cells_save"), data={"cells": []}, content_type="application/json"
    )
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_cells_endpoint_refuses_get(pages, client_for):
    assert client_for("teacher").get(reverse("journal:cells_save")).status_code == 405


@pytest.mark.parametrize("role", ["teacher", "deputy", "director", "admin", *NEVER])
def test_only_the_homeroom_teacher_sets_reasons_and_confirms_the_week(
    pages, client_for, world, role
):
    from ejournal.journal.models import Attendance

    absence = Attendance.objects.get(student=world.students[1])
    client = client_for(role)
    with at("2026-11-18 10:00"):
        reason = client.post(
            reverse("journal:attendance_reason", args=[world.school_class.pk]),
            {"attendance": absence.pk, "value": "б", "version": absence.version},
        )
        verify = client.post(
            reverse("journal:attendance_verify", args=[world.school_class.pk]),
            {"week": "2026-11-16"},
        )
    assert reason.status_code == 404 and verify.status_code == 404
    absence.refresh_from_db()
    assert absence.code == "n" and absence.verified_at is None


@pytest.mark.parametrize(("role", "status"), [("homeroom", 302), ("deputy", 404), ("parent", 404)])
def test_attendance_entry_page_leads_the_homeroom_teacher_to_their_class(
    pages, client_for, role, status
):
    assert client_for(role).get(reverse("journal:attendance_classes")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("deputy", 200), ("director", 404), ("teacher", 404), ("outsider", 200)],
)
def test_new_work_type_page(pages, client_for, role, status):
    assert client_for(role).get(reverse("journal:work_type_create")).status_code == status


def test_teacher_sees_their_requests_but_not_the_pending_list(pages, client_for, world):
    from ejournal.journal.models import CorrectionRequest

    CorrectionRequest.objects.create(
        school=world.school,
        lesson=pages.lesson,
        kind="topic",
        new_value={"topic": "Дроби"},
        reason="Опечатка в теме урока",
        requested_by=world.users["deputy"],
    )
    body = client_for("teacher").get(reverse("journal:corrections")).content.decode()
    assert "Опечатка в теме урока" not in body
    assert (
        "Опечатка в теме урока"
        in client_for("deputy").get(reverse("journal:corrections")).content.decode()
    )
