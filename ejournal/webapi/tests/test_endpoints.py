"""Every /webapi endpoint: what a parent, a student, another parent and staff get."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ejournal.diary.models import DiaryVisit
from ejournal.journal.models import Homework, HomeworkAttachment
from ejournal.messaging import services as messaging
from ejournal.messaging.models import AnnouncementAudience, Attachment
from ejournal.testing import factories as f
from ejournal.webapi.tests.conftest import MONDAY, ApiClient

WEEK = {"weekStart": "2026-11-16", "weekEnd": "2026-11-21"}
SIGNED_IN_GETS = [
    "student/diary/init",
    "years/current",
    "grade/assignment/types",
    "student/diary",
    "student/diary/pastMandatory",
    "announcements",
    "schools/-1/card",
    "users/photo",
    "context",
    "mysettings",
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _diary(api, student, **params):
    return api.get("student/diary", studentId=student.pk, **{**WEEK, **params})


# --- Without login -------------------------------------------------------------------


def test_public_endpoints_work_without_login(world):
    api = ApiClient()
    assert api.get("logindata").json()["version"]
    meta = api.post("auth/getdata").json()
    assert all(isinstance(meta[k], str) and meta[k] for k in ("lt", "ver", "salt"))
    assert "NSSESSIONID" in api.client.cookies
    assert api.client.cookies["NSSESSIONID"]["path"] == "/"
    schools = api.get("schools/search").json()
    assert {"id": world.school.pk, "shortName": "СОШ №1"}.items() <= schools[0].items() or any(
        s["shortName"] == "СОШ №1" and s["id"] == world.school.pk for s in schools
    )
    assert {s["shortName"] for s in api.get("schools/search", name="сош №2").json()} == {"СОШ №2"}
    info = api.get("sysInfo")
    assert "Версия системы: 5.43.0.0" in info.content.decode()


@pytest.mark.parametrize("path", SIGNED_IN_GETS)
def test_signed_in_endpoints_answer_401_without_a_session(world, path):
    response = ApiClient().get(path)
    assert response.status_code == 401
    assert response.json()["message"]


def test_routes_ignore_letter_case_and_unknown_ones_are_404(world, api_for):
    api = api_for("parent")
    assert api.post("auth/getData").status_code == 200
    assert api.get("STUDENT/DIARY/INIT").status_code == 200
    assert api.get("student/diary/pastmandatory").status_code == 200
    assert api.get("no/such/thing").status_code == 404
    assert api.post("student/diary").status_code == 405


# --- Access by role --------------------------------------------------------------------


@pytest.mark.parametrize("path", SIGNED_IN_GETS)
@pytest.mark.parametrize("role", ["parent", "student"])
def test_family_reads_every_endpoint(world, api_for, role, path, today):
    response = api_for(role).get(path, studentId=world.child.pk)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("role", ["parent", "student"])
def test_diary_init_lists_the_familys_students(world, api_for, role):
    init = api_for(role).get("student/diary/init").json()
    assert [s["studentId"] for s in init["students"]] == [world.child.pk]
    assert init["currentStudentId"] == 0
    assert init["weekStart"].endswith("T00:00:00")


def test_other_parent_sees_only_their_child(world, api_for, today):
    api = api_for("other_parent")
    init = api.get("student/diary/init").json()
    assert [s["studentId"] for s in init["students"]] == [world.other_child.pk]
    assert _diary(api, world.other_child).status_code == 200
    for path in ("student/diary", "student/diary/pastMandatory", "student/diary/assigns/2"):
        assert api.get(path, studentId=world.child.pk).status_code == 403, path
    assert _diary(api_for("parent"), world.other_child).status_code == 403


def test_a_parent_with_two_children_gets_both(world, api_for):
    second = f.StudentFactory(
        school=world.school, last_name="Второй", birth_date=dt.date(2016, 1, 1)
    )
    f.enroll(second, world.other_class)
    guardian = world.users["parent"].guardian_profiles.get()
    f.link_guardian(second, guardian)
    init = api_for("parent").get("student/diary/init").json()
    assert {s["studentId"] for s in init["students"]} == {world.child.pk, second.pk}


def test_a_revoked_parent_role_ends_access_at_once(world, api_for):
    api = api_for("parent")
    world.users["parent"].role_assignments.update(active=False)
    assert api.get("student/diary/init").status_code == 403


# --- Diary content ---------------------------------------------------------------------


def test_diary_week_has_lessons_marks_dots_comments_and_homework(world, dw, api_for, today):
    child = world.child
    monday = dw.lesson(MONDAY, 1)
    dw.put(monday, child, "5", "control", comment="Отлично")
    dw.put(monday, child, "dot")
    dw.put(monday, child, "zach")
    Homework.objects.create(lesson=monday, text="§ 5, № 12", due_date=MONDAY + dt.timedelta(2))
    dw.lesson(MONDAY + dt.timedelta(days=1), 2, room="204")
    api = api_for("parent")
    types = {t["id"]: t["name"] for t in api.get("grade/assignment/types", all="false").json()}
    data = _diary(api, child).json()
    assert data["weekStart"] == "2026-11-16T00:00:00"
    assert data["weekEnd"] == "2026-11-21T00:00:00"
    days = {d["date"]: d["lessons"] for d in data["weekDays"]}
    assert set(days) == {f"2026-11-{n}T00:00:00" for n in range(16, 22)}
    first = days["2026-11-16T00:00:00"][0]
    assert first["classmeetingId"] == monday.pk
    assert first["subjectName"] == "Математика"
    assert (first["startTime"], first["endTime"], first["number"]) == ("09:00", "09:45", 1)
    assert first["room"] is None
    assignments = first["assignments"]
    for a in assignments:
        assert a["typeId"] in types
        assert a["classMeetingId"] == monday.pk
    marks = [(a["mark"]["mark"], a["mark"]["dutyMark"]) for a in assignments if a["mark"]]
    assert marks == [(5, False), (None, True), (None, False)]
    assert assignments[0]["markComment"] == {"name": "Отлично"}
    assert types[assignments[0]["typeId"]] == "Контрольная работа"
    assert assignments[0]["weight"] == 2
    assert assignments[1]["markComment"] is None
    homework = assignments[-1]
    assert (homework["assignmentName"], homework["mark"]) == ("§ 5, № 12", None)
    assert types[homework["typeId"]] == "Домашнее задание"
    assert homework["dueDate"] == "2026-11-18T00:00:00"
    assert days["2026-11-17T00:00:00"][0]["room"] == "204"
    assert DiaryVisit.objects.filter(student=child, page="week").count() == 1


def test_diary_of_a_range_shorter_than_a_week(world, dw, api_for, today):
    dw.lesson(MONDAY, 1)
    dw.lesson(MONDAY + dt.timedelta(days=3), 1)
    data = _diary(api_for("student"), world.child, weekEnd="2026-11-17").json()
    assert [d["date"][:10] for d in data["weekDays"]] == ["2026-11-16", "2026-11-17"]


def test_bad_dates_are_400(world, api_for):
    api = api_for("parent")
    assert _diary(api, world.child, weekStart="16.11.2026").status_code == 400
    assert _diary(api, world.child, weekEnd="2026-11-01").status_code == 400


def test_pseudonymised_student_shows_the_code(world, api_for):
    world.child.pseudonym = "Ученик-7"
    world.child.save()
    init = api_for("parent").get("student/diary/init").json()
    assert init["students"][0]["nickName"] == "Ученик-7"
    settings_ = api_for("student").get("mysettings").json()
    assert (settings_["lastName"], settings_["firstName"]) == ("Ученик-7", "")
    assert "Ученик-7" in api_for("student").get("context").json()["user"]["name"]


def test_past_mandatory_lists_debts_and_missed_written_works(world, dw, api_for, today):
    from ejournal.journal.models import Attendance

    child = world.child
    lesson = dw.lesson(MONDAY, 1)
    dw.put(lesson, child, "dot")
    missed = dw.lesson(MONDAY + dt.timedelta(days=1), 1)
    dw.work(missed, "control")
    Attendance.objects.create(lesson=missed, student=child, code="n")
    items = api_for("parent").get("student/diary/pastMandatory", studentId=child.pk).json()
    assert [(i["mark"] or {}).get("dutyMark", False) for i in items] == [True, False]
    assert {i["classMeetingId"] for i in items} == {lesson.pk, missed.pk}
    assert all(i["subjectName"] == "Математика" for i in items)


def test_assignment_details_for_marks_and_homework(world, dw, api_for, today):
    lesson = dw.lesson(MONDAY, 1)
    mark = dw.put(lesson, world.child, "4", "written")
    homework = Homework.objects.create(lesson=lesson, text="Выучить правило")
    api = api_for("parent")
    work = api.get(f"student/diary/assigns/{2 * mark.work_id}", studentId=world.child.pk).json()
    assert work["assignmentName"] == "Самостоятельная работа"
    assert work["subjectGroup"]["name"] == "Математика"
    assert work["teachers"][0]["name"]
    task = api.get(f"student/diary/assigns/{2 * homework.pk + 1}", studentId=world.child.pk)
    assert task.json()["description"] == "Выучить правило"
    # A work the student has no mark for is not theirs to open.
    other = dw.put(lesson, world.students[1], "3")
    path = f"student/diary/assigns/{2 * other.work_id}"
    assert api.get(path, studentId=world.child.pk).status_code == 403


# --- Attachments and announcements -------------------------------------------------------


def _homework_file(lesson, name="task.pdf"):
    homework = Homework.objects.create(lesson=lesson, text="Задание с файлом")
    attachment = HomeworkAttachment.objects.create(
        homework=homework,
        file=SimpleUploadedFile(name, b"%PDF-1.4 test"),
        original_name=name,
        content_type="application/pdf",
        size=13,
    )
    return homework, attachment


def test_homework_attachments_are_listed_and_downloaded(world, dw, api_for, media, today):
    homework, attachment = _homework_file(dw.lesson(MONDAY, 1))
    api = api_for("parent")
    listed = api.post(
        "student/diary/get-attachments",
        json_body={"assignId": [2 * homework.pk + 1]},
        query=f"studentId={world.child.pk}",
    ).json()
    assert listed == [
        {
            "assignmentId": 2 * homework.pk + 1,
            "attachments": [
                {"id": 2 * attachment.pk, "originalFileName": "task.pdf", "description": None}
            ],
            "answerFiles": [],
        }
    ]
    response = api.get(f"attachments/{2 * attachment.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_other_familys_homework_files_are_403(world, dw, api_for, media, today):
    other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
    lesson = dw.lesson(MONDAY, 1, group=other_group)
    homework, attachment = _homework_file(lesson)
    api = api_for("parent")
    assert api.get(f"attachments/{2 * attachment.pk}").status_code == 403
    listed = api.post(
        "student/diary/get-attachments",
        json_body={"assignId": [2 * homework.pk + 1]},
        query=f"studentId={world.child.pk}",
    ).json()
    assert listed == []
    assert api_for("other_parent").get(f"attachments/{2 * attachment.pk}").status_code == 200


def test_get_attachments_rejects_bad_json(world, api_for):
    api = api_for("parent")
    response = api.client.post(
        f"/webapi/student/diary/get-attachments?studentId={world.child.pk}",
        "[oops",
        content_type="application/json",
        headers={"at": api.at},
    )
    assert response.status_code == 400


def _announce(world, audience, title, **extra):
    return messaging.announcement_create(
        actor=world.users["director"],
        school=world.school,
        audience=audience,
        title=title,
        body="<p>Текст</p>",
        publish_from=dt.date(2026, 11, 1),
        **extra,
    )


def test_announcements_for_the_family_with_attachments(world, api_for, media, today):
    _announce(
        world,
        AnnouncementAudience.CLASS,
        "Собрание 5А",
        school_class=world.school_class,
        uploads=[SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n", content_type="application/pdf")],
    )
    _announce(world, AnnouncementAudience.STAFF, "Педсовет")
    _announce(world, AnnouncementAudience.CLASS, "Собрание 6Б", school_class=world.other_class)
    api = api_for("parent")
    items = api.get("announcements", take=-1).json()
    assert [a["name"] for a in items] == ["Собрание 5А"]
    item = items[0]
    assert item["description"] == "<p>Текст</p>"
    assert item["author"]["fio"]
    assert item["postDate"][:4] == "2026"
    file_id = item["attachments"][0]["id"]
    assert file_id % 2 == 1
    assert api.get(f"attachments/{file_id}").status_code == 200
    assert api_for("other_parent").get(f"attachments/{file_id}").status_code == 403
    staff_only = Attachment.objects.create(
        school=world.school,
        announcement=world.school.announcements.get(title="Педсовет"),
        file=SimpleUploadedFile("secret.pdf", b"%PDF"),
        original_name="secret.pdf",
        content_type="application/pdf",
        size=4,
    )
    assert api.get(f"attachments/{2 * staff_only.pk + 1}").status_code == 403


# --- School, context, settings, photo, logout --------------------------------------------


def test_school_card_of_the_sessions_school_only(world, api_for):
    world.school.address = "ул. Ленина, 1"
    world.school.director_name = "Петров П. П."
    world.school.save()
    api = api_for("parent")
    card = api.get("schools/-1/card").json()
    flat = {**card["commonInfo"], **card["contactInfo"], **card["managementInfo"]}
    for key in (
        "schoolName",
        "fullSchoolName",
        "about",
        "email",
        "web",
        "phones",
        "director",
        "principalAHC",
        "principalIT",
        "principalUVR",
        "juridicalAddress",
        "postAddress",
    ):
        assert isinstance(flat[key], str), key
    assert flat["fullSchoolName"] == "МБОУ «СОШ №1»"
    assert flat["director"] == "Петров П. П."
    assert api.get(f"schools/{world.school.pk}/card").status_code == 200
    assert api.get(f"schools/{world.other_school.pk}/card").status_code == 403


def test_context_years_and_settings(world, api_for, today):
    api = api_for("parent")
    year = api.get("years/current").json()
    assert year["id"] == world.year.pk
    context = api.get("context").json()
    assert context["schoolyear"]["globalYear"]["id"] == world.year.pk
    assert context["schoolId"] == world.school.pk
    assert api.get("mysettings").json()["roles"] == ["Родитель"]


def test_context_expired_and_logout(world, api_for):
    api = api_for("parent")
    assert api.get("context/expired", token=api.at).json() is False
    assert api.post("auth/logout").status_code == 200
    assert api.get("context/expired", token=api.at).json() is True
    assert api.get("student/diary/init").status_code == 401
    # Logging out twice, or without a session, is harmless.
    assert api.post("auth/logout").status_code == 200


def test_user_photo_is_an_image(world, api_for):
    api = api_for("student")
    response = api.client.get(f"/webapi/users/photo?at={api.at}&userId=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_teacher_who_is_a_parent_reads_only_their_child_and_no_staff_news(
    world, app_password, media, today
):
    from ejournal.accounts.models import Role

    teacher = world.users["teacher"]
    guardian = f.GuardianFactory(school=world.school, user=teacher)
    f.link_guardian(world.other_child, guardian)
    f.grant(teacher, Role.PARENT, world.school)
    _announce(world, AnnouncementAudience.STAFF, "Педсовет")
    _announce(world, AnnouncementAudience.SCHOOL, "Для всех")
    api = ApiClient()
    assert api.login("teacher", app_password("teacher"), world.school.pk).status_code == 200
    init = api.get("student/diary/init").json()
    assert [s["studentId"] for s in init["students"]] == [world.other_child.pk]
    assert _diary(api, world.child).status_code == 403
    assert [a["name"] for a in api.get("announcements").json()] == ["Для всех"]
