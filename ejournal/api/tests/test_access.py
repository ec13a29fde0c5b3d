"""Which roles reach which endpoint. Forbidden and missing both answer 404 (as on the web
pages); no credentials answer 401. Each test walks every role of the world."""

from __future__ import annotations

import pytest

from ejournal.api.tests.conftest import at
from ejournal.testing.world import WORLD_ROLES

ROLES = [*WORLD_ROLES, "anonymous"]
EVERYONE = set(ROLES) - {"anonymous"}
SCHOOL_MEMBERS = EVERYONE - {"outsider", "inspector"}
STAFF = {"admin", "director", "deputy", "teacher", "homeroom", "operator", "hr"}
JOURNAL_READERS = {"admin", "director", "deputy", "teacher", "homeroom"}
FAMILY_OF_CHILD = {"student", "parent"}


def _expected(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 401
    return 200 if role in allowed else 404


def walk(api, method: str, url: str, allowed: set[str], *, write=False, body=None) -> None:
    wrong = {}
    for role in ROLES:
        client = api.client(role, write=write)
        kwargs = {"content_type": "application/json"} if body is not None else {}
        response = (
            getattr(client, method)(url, body, **kwargs)
            if body is not None
            else getattr(client, method)(url)
        )
        if response.status_code != _expected(role, allowed):
            wrong[role] = (response.status_code, response.content[:200])
        elif response.status_code != 200:
            assert set(response.json()) == {"error"}, role
    assert not wrong, wrong


@pytest.fixture
def frozen():
    with at("2026-11-16 10:00"):
        yield


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/me", EVERYONE),
        ("/schools", EVERYONE),
        ("/schools/{school}/years", SCHOOL_MEMBERS),
        ("/years/{year}/periods", SCHOOL_MEMBERS),
        ("/classes", STAFF | {"outsider"}),
        ("/classes/{class}/students", {"admin", "deputy", "director", "operator", "homeroom"}),
        ("/lessons", STAFF | {"outsider"}),
        ("/timetable", STAFF | {"outsider"}),
        ("/lessons/{lesson}", JOURNAL_READERS),
        ("/journals", JOURNAL_READERS | {"outsider"}),
        ("/work-types", JOURNAL_READERS | {"outsider"}),
        ("/students/{child}/diary", FAMILY_OF_CHILD),
        ("/students/{child}/marks", FAMILY_OF_CHILD),
        ("/students/{child}/homework", FAMILY_OF_CHILD),
        ("/students/{child}/attendance", FAMILY_OF_CHILD),
        ("/students/{child}/lessons", FAMILY_OF_CHILD),
        ("/announcements?student_id={child}", FAMILY_OF_CHILD),
        ("/conversations", SCHOOL_MEMBERS | {"outsider"}),
        ("/announcements", SCHOOL_MEMBERS | {"outsider"}),
    ],
)
def test_read_access_by_role(api, world, journal, frozen, path, allowed):
    url = "/api/v1" + path.format(
        school=world.school.pk,
        year=world.year.pk,
        child=world.child.pk,
        lesson=journal.lesson.pk,
        **{"class": world.school_class.pk},
    )
    walk(api, "get", url, allowed)


def test_outsider_sees_nothing_of_another_school(api, world, journal, frozen):
    client = api.client("outsider")
    assert client.get("/api/v1/classes").json()["items"] == []
    assert client.get("/api/v1/lessons").json()["items"] == []
    assert client.get(f"/api/v1/classes/{world.school_class.pk}/students").status_code == 404


def test_parent_cannot_read_another_childs_diary(api, world, frozen):
    client = api.client("other_parent")
    for page in ("diary", "marks", "homework", "attendance", "lessons"):
        response = client.get(f"/api/v1/students/{world.child.pk}/{page}")
        assert response.status_code == 404, page
        assert response.json()["error"]["code"] == "not_found"
    own = client.get(f"/api/v1/students/{world.other_child.pk}/diary")
    assert own.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "/lessons/{lesson}/topic", {"topic": "Дроби"}),
        ("post", "/lessons/{lesson}/works", {"work_type_id": "{work_type}"}),
        ("put", "/lessons/{lesson}/marks", {"items": [{"student_id": "{student}", "value": "5"}]}),
        (
            "put",
            "/lessons/{lesson}/attendance",
            {"items": [{"student_id": "{student}", "value": "н"}]},
        ),
        ("post", "/lessons/{lesson}/homework", {"text": "№ 5"}),
    ],
)
def test_only_the_lessons_teacher_writes_its_journal(
    api, world, journal, frozen, method, path, body
):
    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if value == "{work_type}":
            return journal.types["Контрольная работа"].pk
        if value == "{student}":
            return world.students[1].pk
        return value

    url = "/api/v1" + path.format(lesson=journal.lesson.pk)
    wrong = {}
    for role in ROLES:
        response = getattr(api.client(role, write=True), method)(
            url, fill(body), content_type="application/json"
        )
        expected = {"anonymous": 401, "teacher": 201 if method == "post" else 200}.get(role, 404)
        if response.status_code != expected:
            wrong[role] = (response.status_code, response.content[:300])
    assert not wrong, wrong


def test_teacher_cannot_write_another_teachers_group(api, world, journal, frozen):
    client = api.client("teacher", write=True)
    lesson = journal.other_lesson
    student = world.other_child
    attempts = [
        ("put", f"/api/v1/lessons/{lesson.pk}/topic", {"topic": "Чужая тема"}),
        (
            "put",
            f"/api/v1/lessons/{lesson.pk}/marks",
            {"items": [{"student_id": student.pk, "value": "2"}]},
        ),
        (
            "put",
            f"/api/v1/lessons/{lesson.pk}/attendance",
            {"items": [{"student_id": student.pk, "value": "н"}]},
        ),
        ("post", f"/api/v1/lessons/{lesson.pk}/homework", {"text": "чужое"}),
    ]
    for method, url, body in attempts:
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 404, (url, response.content)
    # …while the other teacher writes it.
    own = api.client("other_teacher", write=True).put(
        f"/api/v1/lessons/{lesson.pk}/topic",
        {"topic": "Своя тема"},
        content_type="application/json",
    )
    assert own.status_code == 200


def test_staff_of_several_schools_pick_one_with_the_header(api, world, frozen):
    from ejournal.accounts.models import Role
    from ejournal.testing import factories as f

    user = world.users["teacher"]
    f.StaffFactory(school=world.other_school, user=user)
    f.grant(user, Role.TEACHER, world.other_school)
    client = api.client("teacher")
    response = client.get("/api/v1/classes")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "school_required"
    assert "X-School" in response.json()["error"]["message"]
    mine = client.get("/api/v1/classes", HTTP_X_SCHOOL=str(world.school.pk)).json()["items"]
    assert {c["name"] for c in mine} == {"5А", "6Б"}
    assert client.get("/api/v1/classes", HTTP_X_SCHOOL="999999").status_code == 404
