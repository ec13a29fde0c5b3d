"""Who may open which diary page. Every URL that names a student is tried with a child of
another family; staff and strangers get 404 exactly like a missing page."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from ejournal.accounts.models import Role
from ejournal.diary.models import DiaryVisit
from ejournal.journal.models import Homework, HomeworkAttachment
from ejournal.testing import factories as f
from ejournal.testing.world import WORLD_ROLES

from .conftest import MONDAY

pytestmark = pytest.mark.django_db

STUDENT_PAGES = ["diary:week", "diary:marks", "diary:homework", "diary:summary"]
STAFF_AND_STRANGERS = [r for r in WORLD_ROLES if r not in ("student", "parent")]


def attachment_for(dw, student):
    lesson = dw.lesson(MONDAY)
    hw = Homework.objects.create(lesson=lesson, text="Читать", due_date=MONDAY)
    return HomeworkAttachment.objects.create(
        homework=hw,
        file=ContentFile(b"%PDF-1.4 test", name="task.pdf"),
        original_name="Задание.pdf",
        content_type="application/pdf",
        size=13,
    )


def every_student_url(student_id, attachment_id):
    return [reverse(name, args=[student_id]) for name in STUDENT_PAGES] + [
        reverse("diary:attachment", args=[student_id, attachment_id])
    ]


@pytest.mark.parametrize("role", ["parent", "student"])
def test_family_opens_every_page_of_their_own_child(
    dw, client_for, today, role, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    att = attachment_for(dw, dw.w.child)
    client = client_for(role)
    for url in every_student_url(dw.w.child.pk, att.pk):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["parent", "student"])
def test_changing_any_id_in_any_diary_url_never_opens_another_familys_child(
    dw, client_for, today, role, settings, tmp_path, world
):
    settings.MEDIA_ROOT = tmp_path
    own_attachment = attachment_for(dw, dw.w.child)
    other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
    other_lesson = f.make_lesson(other_group, world.subject, dw.teacher, MONDAY)
    other_hw = Homework.objects.create(lesson=other_lesson, text="Чужое", due_date=MONDAY)
    other_attachment = HomeworkAttachment.objects.create(
        homework=other_hw,
        file=ContentFile(b"secret", name="other.pdf"),
        original_name="Чужое.pdf",
        content_type="application/pdf",
        size=6,
    )
    client = client_for(role)
    strangers = [world.other_child.pk, world.students[1].pk, 999_999]
    for student_id in strangers:
        for url in every_student_url(student_id, own_attachment.pk):
            assert client.get(url).status_code == 404, url
    # Own child, but an attachment of homework the child was never given.
    url = reverse("diary:attachment", args=[dw.w.child.pk, other_attachment.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("diary:attachment", args=[dw.w.child.pk, 999_999])).status_code == 404


def test_individual_homework_attachment_of_a_classmate_is_not_downloadable(
    dw, client_for, today, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    att = attachment_for(dw, dw.w.child)
    hw = att.homework
    hw.is_individual = True
    hw.save()
    hw.students.set([dw.w.students[1]])
    url = reverse("diary:attachment", args=[dw.w.child.pk, att.pk])
    assert client_for("parent").get(url).status_code == 404


@pytest.mark.parametrize("role", STAFF_AND_STRANGERS)
def test_staff_and_strangers_get_404_on_a_childs_diary(
    dw, client_for, today, role, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    att = attachment_for(dw, dw.w.child)
    client = client_for(role)
    for url in every_student_url(dw.w.child.pk, att.pk):
        assert client.get(url).status_code == 404, (role, url)


def test_anonymous_goes_to_sign_in(dw, client_for, today):
    client = client_for("anonymous")
    for name in STUDENT_PAGES:
        response = client.get(reverse(name, args=[dw.w.child.pk]))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert client.get(reverse("diary:index")).status_code == 302
    assert client.get(reverse("diary:calendar")).status_code == 302


@pytest.mark.parametrize(
    "role,status", [("parent", 302), ("student", 302), ("teacher", 404), ("admin", 404)]
)
def test_diary_index_redirects_family_and_refuses_others(dw, client_for, today, role, status):
    response = client_for(role).get(reverse("diary:index"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("diary:week", args=[dw.w.child.pk])


def test_a_revoked_parent_role_closes_the_diary(dw, client_for, today, world):
    world.users["parent"].role_assignments.filter(role=Role.PARENT).update(active=False)
    assert client_for("parent").get(reverse("diary:week", args=[world.child.pk])).status_code == 404


def test_parent_with_children_in_two_schools_switches_between_them(dw, client_for, today, world):
    school2 = world.other_school
    year2 = f.YearFactory(school=school2)
    class2 = f.ClassFactory(school=school2, year=year2, grade=3, letter="В")
    kid2 = f.StudentFactory(school=school2, first_name="Вера", last_name="Младшая")
    f.enroll(kid2, class2)
    guardian2 = f.GuardianFactory(school=school2, user=world.users["parent"])
    f.link_guardian(kid2, guardian2)
    f.grant(world.users["parent"], Role.PARENT, school2)

    client = client_for("parent")
    html = client.get(reverse("diary:week", args=[world.child.pk])).content.decode()
    assert reverse("diary:week", args=[kid2.pk]) in html
    assert "СОШ №2" in html
    assert client.get(reverse("diary:week", args=[kid2.pk])).status_code == 200
    assert client.get(reverse("diary:marks", args=[kid2.pk])).status_code == 200
    # The other family's child is still out of reach.
    assert client.get(reverse("diary:week", args=[world.other_child.pk])).status_code == 404


def test_each_page_view_is_recorded_once(dw, client_for, today, world):
    client = client_for("parent")
    for name in STUDENT_PAGES:
        client.get(reverse(name, args=[world.child.pk]))
    visits = list(DiaryVisit.objects.values_list("user__username", "student_id", "page"))
    assert sorted(visits) == sorted(
        ("parent", world.child.pk, page) for page in ["week", "marks", "homework", "summary"]
    )
    # Stamped with the moment of the visit (the frozen "today" of the diary tests).
    stamps = {v.visited_at for v in DiaryVisit.objects.all()}
    assert stamps == {timezone.now()}
    assert DiaryVisit.objects.filter(visited_at__date=timezone.localdate()).count() == 4


def test_diary_pages_are_never_cached(dw, client_for, today):
    response = client_for("student").get(reverse("diary:week", args=[dw.w.child.pk]))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_diary_pages_are_read_only(dw, client_for, today):
    client = client_for("parent")
    for name in STUDENT_PAGES:
        assert client.post(reverse(name, args=[dw.w.child.pk])).status_code == 405


def test_week_date_is_any_date(dw, client_for, today):
    url = reverse("diary:week", args=[dw.w.child.pk]) + "?date=2027-03-03"
    response = client_for("student").get(url)
    assert response.context["week"].start == dt.date(2027, 3, 1)


def test_diary_index_returns_to_the_child_last_looked_at(dw, client_for, today, world):
    school2 = world.other_school
    class2 = f.ClassFactory(school=school2, year=f.YearFactory(school=school2), grade=2)
    kid2 = f.StudentFactory(school=school2, birth_date=dt.date(2019, 1, 1))
    f.enroll(kid2, class2)
    f.link_guardian(kid2, f.GuardianFactory(school=school2, user=world.users["parent"]))
    f.grant(world.users["parent"], Role.PARENT, school2)
    client = client_for("parent")
    assert client.get(reverse("diary:index"))["Location"].endswith(f"/{world.child.pk}/week/")
    client.get(reverse("diary:marks", args=[kid2.pk]))
    assert client.get(reverse("diary:index"))["Location"].endswith(f"/{kid2.pk}/week/")


def test_diary_activity_counts_visits_per_user_within_the_school(dw, client_for, today, world):
    from django.utils import timezone

    from ejournal.diary.selectors import diary_activity

    for _ in range(2):
        client_for("parent").get(reverse("diary:week", args=[world.child.pk]))
    client_for("student").get(reverse("diary:marks", args=[world.child.pk]))
    now = timezone.now()
    rows = diary_activity(
        school=world.school, start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1)
    )
    assert [(r.username, r.visits) for r in rows] == [("parent", 2), ("student", 1)]
    assert diary_activity(school=world.other_school, start=now, end=now) == []
