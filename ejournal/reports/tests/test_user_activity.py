import pytest
import time_machine

from ejournal.audit import services as audit
from ejournal.diary.models import DiaryVisit
from ejournal.reports.builders.user_activity import diary_visits, teacher_activity
from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text


@pytest.fixture
def activity(world):
    """On 05.10 and 06.10 "teacher" made 3 mark and 1 attendance events; the student
    opened the diary twice and the parent once; nobody else did anything."""
    teacher = world.users["teacher"]
    for day, actions in (
        (5, ["mark.created", "mark.updated"]),
        (6, ["mark.created", "attendance.created"]),
    ):
        with time_machine.travel(f"2026-10-0{day} 10:00 +0300", tick=False):
            for action in actions:
                audit.record(
                    action=action,
                    actor=teacher,
                    school=world.school,
                    object_type="x",
                    object_id="1",
                )
            audit.record(
                action="message.sent",
                actor=teacher,
                school=world.school,
                object_type="x",
                object_id="1",
            )
            DiaryVisit.objects.create(
                user=world.users["student"], student=world.child, school=world.school, page="week"
            )
    with time_machine.travel("2026-10-06 20:00 +0300", tick=False):
        DiaryVisit.objects.create(
            user=world.users["parent"], student=world.child, school=world.school, page="marks"
        )
    return world


def test_teacher_activity_counts_journal_events(activity):
    rows = {
        t.staff.pk: t
        for t in teacher_activity(school=activity.school, start=d(10, 1), end=d(10, 31))
    }
    mine = rows[activity.staff["teacher"].pk]
    assert mine.by_kind == {"Отметки": 3, "Посещаемость": 1}
    assert mine.total == 4 and mine.days == 2
    assert rows[activity.staff["homeroom"].pk].total == 0


def test_diary_visits_per_student(activity):
    w = activity
    rows = {
        r.student.pk: r
        for r in diary_visits(school=w.school, year=w.year, start=d(10, 1), end=d(10, 31))
    }
    child = rows[w.child.pk]
    assert child.own == 2 and child.parents == 1 and child.parent_visits == 1
    assert child.parents_visiting == 1
    assert rows[w.students[1].pk].own == 0
    # 05.10 only: the parent had not come yet.
    rows = {
        r.student.pk: r
        for r in diary_visits(school=w.school, year=w.year, start=d(10, 5), end=d(10, 5))
    }
    assert rows[w.child.pk].own == 1 and rows[w.child.pk].parent_visits == 0


PAGE_ROLES = page_roles(teacher=200, homeroom=200)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_user_activity_page_roles(client_for, activity, role, status):
    assert_page_roles(client_for, "user-activity", role, status)


def test_user_activity_downloads_and_homeroom_view(client_for, activity):
    params = {"year": "2026/2027", "start": "2026-10-01", "end": "2026-10-31"}
    client = client_for("deputy")
    xlsx = xlsx_text(client.get(report_url("user-activity", format="xlsx", **params)).content)
    assert "Работали с журналом\t1" in xlsx
    # 1 of 4 students (3 in 5А, 1 in 6Б), the only parent with an account for them who came.
    assert "Ученики, заходившие в дневник, %\t25" in xlsx
    pdf = pdf_text(client.get(report_url("user-activity", format="pdf", **params)).content)
    assert "Активность пользователей" in pdf and "25,0" in pdf
    homeroom = client_for("homeroom").get(report_url("user-activity", **params)).content.decode()
    assert "Учителя: работа с журналом" not in homeroom
    assert "Чужой" not in homeroom and "Ученик00" in homeroom
