"""Who may open each КТП page, that teachers edit only their own plans, the inline item
editing (with and without htmx), file import and export through the pages, and query
counts that do not grow with the data."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ejournal.audit.models import AuditEvent
from ejournal.planning.models import PlanItem, ThematicPlan
from ejournal.planning.tests.conftest import ALL_ROLES, expected_status, item, weekdays
from ejournal.testing import factories as f

NOW = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
READERS = {"admin", "director", "deputy", "teacher"}
EDITORS = {"deputy", "teacher"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def objects(pw):
    plan = pw.plan(items=[item("Первая", 2), item("Вторая")])
    pw.document(pw.lesson(dt.date(2026, 9, 1)))
    last_year = f.YearFactory(
        school=pw.w.school, name="2025/2026", start=dt.date(2025, 9, 1), end=dt.date(2026, 5, 31)
    )
    old_class = f.ClassFactory(school=pw.w.school, year=last_year, grade=5, letter="А")
    old_group = f.GroupFactory(school_class=old_class, name="5А (2025)")
    old = pw.plan(items=[item("Прошлогодняя", 3)], group=old_group, year=last_year)
    return {
        "plan_id": plan.pk,
        "item_id": plan.items.first().pk,
        "group_id": pw.group.pk,
        "subject_id": pw.subject.pk,
        "old_plan": old,
        "plan": plan,
    }


def url(name, objects, *keys):
    return reverse(f"planning:{name}", args=[objects[k] for k in keys])


# Lists are personal: every teacher opens them and sees their own courses (homeroom's is
# empty), the outsider sees their own school's; a plan or a course of someone else's load
# or school answers 404.
ANY_TEACHER = READERS | {"homeroom", "outsider"}
READ_PAGES = [
    ("plan_list", [], ANY_TEACHER),
    ("plan_detail", ["plan_id"], READERS),
    ("plan_export_csv", ["plan_id"], READERS),
    ("plan_export_xlsx", ["plan_id"], READERS),
    ("fulfilment", [], ANY_TEACHER),
    ("fulfilment_course", ["group_id", "subject_id"], READERS),
]
EDIT_PAGES = [
    ("plan_create", []),
    ("plan_import", ["plan_id"]),
    ("plan_copy", ["plan_id"]),
    ("item_edit", ["item_id"]),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "keys", "allowed"), READ_PAGES)
def test_read_pages_access(client_for, objects, role, name, keys, allowed):
    response = client_for(role).get(url(name, objects, *keys))
    assert response.status_code == expected_status(role, allowed)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "keys"), EDIT_PAGES)
def test_edit_pages_access(client_for, objects, role, name, keys):
    response = client_for(role).get(url(name, objects, *keys))
    assert response.status_code == expected_status(role, EDITORS)


POSTS = [
    ("item_add", ["plan_id"], {"topic": "Новая", "hours": "1", "kind": "lesson"}),
    ("item_edit", ["item_id"], {"topic": "Изменена", "hours": "1", "kind": "lesson"}),
    ("item_move", ["item_id"], {"position": "2"}),
    ("item_delete", ["item_id"], {}),
    ("plan_delete", ["plan_id"], {}),
]


def plan_state(plan_id):
    return list(
        PlanItem.objects.filter(plan_id=plan_id)
        .order_by("number")
        .values_list("number", "topic", "hours")
    ), ThematicPlan.objects.filter(pk=plan_id).exists()


@pytest.mark.parametrize("role", sorted(set(ALL_ROLES) - EDITORS - {"anonymous"}))
@pytest.mark.parametrize(("name", "keys", "data"), POSTS)
def test_writes_are_refused_to_everyone_but_editors(client_for, objects, role, name, keys, data):
    before = plan_state(objects["plan_id"])
    events = AuditEvent.objects.count()
    response = client_for(role).post(url(name, objects, *keys), data)
    assert response.status_code == 404
    assert plan_state(objects["plan_id"]) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", sorted(EDITORS))
@pytest.mark.parametrize(("name", "keys", "data"), POSTS)
def test_editors_write_and_are_audited(client_for, objects, role, name, keys, data):
    before = plan_state(objects["plan_id"])
    response = client_for(role).post(url(name, objects, *keys), data)
    assert response.status_code == 302
    assert plan_state(objects["plan_id"]) != before
    assert AuditEvent.objects.filter(actor__username=role).count() == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_deputy_reassigns_a_plan(client_for, pw, objects, role):
    target = url("plan_owner", objects, "plan_id")
    response = client_for(role).post(target, {"owner": pw.w.staff["homeroom"].pk})
    owner = ThematicPlan.objects.get(pk=objects["plan_id"]).owner
    if role == "deputy":
        assert response.status_code == 302 and owner == pw.w.staff["homeroom"]
        assert AuditEvent.objects.filter(action="thematic_plan.owner_changed").exists()
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert owner == pw.teacher


def test_teacher_cannot_touch_another_teachers_plan(pw, client_for, objects):
    """«homeroom» is a teacher too, but teaches no mathematics: 404 everywhere."""
    other = client_for("homeroom")
    plan_id, item_id = objects["plan_id"], objects["item_id"]
    before = plan_state(plan_id)
    for target in (
        reverse("planning:plan_detail", args=[plan_id]),
        reverse("planning:item_edit", args=[item_id]),
        reverse("planning:plan_import", args=[plan_id]),
    ):
        assert other.get(target).status_code == 404
    assert other.post(reverse("planning:item_delete", args=[item_id])).status_code == 404
    assert plan_state(plan_id) == before
    # Once given a load in the subject for that group, the same teacher may edit it.
    f.load(pw.group, pw.subject, pw.w.staff["homeroom"], Decimal("1"))
    assert other.get(reverse("planning:plan_detail", args=[plan_id])).status_code == 200


def test_teacher_creates_plans_only_for_own_groups(pw, client_for):
    stranger_class = f.ClassFactory(school=pw.w.school, year=pw.year, grade=7, letter="Г")
    stranger_group = f.GroupFactory(school_class=stranger_class, name="7Г")
    f.load(stranger_group, pw.subject, pw.w.staff["homeroom"])
    client = client_for("teacher")
    create = reverse("planning:plan_create") + f"?year={pw.year.pk}"
    refused = client.post(create, {"target": f"g:{stranger_group.pk}:{pw.subject.pk}"})
    assert refused.status_code == 200 and "target" in refused.context["form"].errors
    refused = client.post(create, {"target": f"p:7:{pw.subject.pk}"})
    assert refused.status_code == 200
    assert not ThematicPlan.objects.exists()
    done = client.post(create, {"target": f"g:{pw.group.pk}:{pw.subject.pk}"})
    plan = ThematicPlan.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"/planning/{plan.pk}/")
    assert plan.owner == pw.teacher and plan.group == pw.group
    again = client.post(create, {"target": f"g:{pw.group.pk}:{pw.subject.pk}"})
    assert "уже есть" in again.content.decode()
    grade = client.post(create, {"target": f"p:5:{pw.subject.pk}"})
    assert grade.status_code == 302
    assert ThematicPlan.objects.filter(grade=5, group__isnull=True).exists()


def test_teacher_edits_the_grade_plan_of_a_grade_they_teach(pw, client_for):
    plan = pw.plan(items=[item("Общая")], grade=5, owner=pw.w.staff["deputy"])
    other_grade = pw.plan(items=[item("Седьмые")], grade=7, owner=pw.w.staff["deputy"])
    client = client_for("teacher")
    assert client.get(reverse("planning:plan_detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("planning:plan_detail", args=[other_grade.pk])).status_code == 404


def test_director_reads_but_does_not_edit(client_for, objects):
    director = client_for("director")
    page = director.get(url("plan_detail", objects, "plan_id")).content.decode()
    assert "Первая" in page and "Добавить тему" not in page
    assert director.get(url("item_edit", objects, "item_id")).status_code == 404


def test_plan_of_another_school_is_unreachable(client_for, world, objects):
    other_year = f.YearFactory(school=world.other_school)
    other_class = f.ClassFactory(school=world.other_school, year=other_year)
    other_group = f.GroupFactory(school_class=other_class)
    subject = f.SubjectFactory(school=world.other_school)
    plan = ThematicPlan.objects.create(
        school=world.other_school, year=other_year, subject=subject, group=other_group
    )
    for role in ("deputy", "admin"):
        response = client_for(role).get(reverse("planning:plan_detail", args=[plan.pk]))
        assert response.status_code == 404


# --- inline editing ----------------------------------------------------------------


def test_htmx_edit_row_then_save_swaps_the_plan_body(client_for, objects):
    client = client_for("teacher")
    edit_url = url("item_edit", objects, "item_id")
    row = client.get(edit_url, headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert row.content.decode().lstrip().startswith('<tr id="item-')
    saved = client.post(
        edit_url,
        {"topic": "Новое название", "hours": "3", "kind": "lesson", "section": "Глава"},
        headers={"HX-Request": "true"},
    )
    body = saved.content.decode()
    assert saved.status_code == 200 and 'id="plan-body"' in body and "Новое название" in body
    assert PlanItem.objects.get(pk=objects["item_id"]).hours == 3


def test_htmx_edit_with_errors_returns_the_row_retargeted(client_for, objects):
    client = client_for("teacher")
    response = client.post(
        url("item_edit", objects, "item_id"),
        {"topic": "", "hours": "1", "kind": "control"},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Retarget"] == f"#item-{objects['item_id']}"
    assert "Тема обязательна" in response.content.decode()
    assert PlanItem.objects.get(pk=objects["item_id"]).topic == "Первая"


def test_add_move_and_delete_keep_numbers_contiguous(client_for, objects):
    client = client_for("teacher")
    plan_id = objects["plan_id"]
    client.post(
        url("item_add", objects, "plan_id"),
        {"topic": "Вставка", "hours": "1", "kind": "excursion", "position": "1"},
    )
    assert plan_state(plan_id)[0] == [(1, "Вставка", 1), (2, "Первая", 2), (3, "Вторая", 1)]
    inserted = PlanItem.objects.get(topic="Вставка")
    client.post(reverse("planning:item_move", args=[inserted.pk]), {"position": "3"})
    assert plan_state(plan_id)[0] == [(1, "Первая", 2), (2, "Вторая", 1), (3, "Вставка", 1)]
    client.post(url("item_delete", objects, "item_id"))
    assert plan_state(plan_id)[0] == [(1, "Вторая", 1), (2, "Вставка", 1)]


def test_bad_item_is_refused_with_a_message_and_nothing_saved(client_for, objects):
    client = client_for("teacher")
    before = plan_state(objects["plan_id"])
    response = client.post(
        url("item_add", objects, "plan_id"),
        {"topic": "x", "hours": "0", "kind": "lesson", "planned_date": "2027-07-01"},
    )
    assert response.status_code == 200
    assert plan_state(objects["plan_id"]) == before
    response = client.post(
        url("item_add", objects, "plan_id"),
        {"topic": "x", "hours": "1", "kind": "lesson", "planned_date": "2027-07-01"},
    )
    assert "вне учебного года" in response.content.decode()
    assert plan_state(objects["plan_id"]) == before


# --- files through the pages -------------------------------------------------------


def test_export_pages_download_named_files(client_for, objects):
    client = client_for("teacher")
    csv_response = client.get(url("plan_export_csv", objects, "plan_id"))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response["Content-Disposition"]
    assert csv_response.content.decode("utf-8-sig").splitlines()[1] == "1;;Первая;2;урок;"
    xlsx = client.get(url("plan_export_xlsx", objects, "plan_id"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["№", "Раздел", "Тема", "Часы", "Вид", "Дата"]
    assert [c.value for c in sheet[3]][:4] == [2, None, "Вторая", 1]


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_import_page_replaces_items_or_lists_errors(client_for, objects):
    client = client_for("teacher")
    import_url = url("plan_import", objects, "plan_id")
    before = plan_state(objects["plan_id"])
    bad = "№;Раздел;Тема;Часы\r\n1;;Хорошо;1\r\n2;;Плохо;два\r\n".encode("utf-8-sig")
    response = client.post(import_url, {"file": upload("k.csv", bad)})
    assert response.status_code == 200
    assert "Строка 3: «Часы»" in response.content.decode()
    assert plan_state(objects["plan_id"]) == before
    good = "№;Раздел;Тема;Часы\r\n1;;Одна;4\r\n".encode("utf-8-sig")
    response = client.post(import_url, {"file": upload("k.csv", good)})
    assert response.status_code == 302
    assert plan_state(objects["plan_id"])[0] == [(1, "Одна", 4)]


def test_copy_from_last_year_drops_dates_and_replaces_items(client_for, objects):
    client = client_for("deputy")
    copy_url = url("plan_copy", objects, "plan_id")
    page = client.get(copy_url)
    assert "2025/2026" in page.content.decode()
    response = client.post(copy_url, {"source": objects["old_plan"].pk})
    assert response.status_code == 302
    assert plan_state(objects["plan_id"])[0] == [(1, "Прошлогодняя", 3)]
    assert AuditEvent.objects.filter(action="thematic_plan.copied").exists()


def test_copy_from_another_class_of_the_grade(pw, client_for, objects):
    other_class = f.ClassFactory(school=pw.w.school, year=pw.year, grade=5, letter="Б")
    other_group = f.GroupFactory(school_class=other_class, name="5Б")
    f.load(other_group, pw.subject, pw.teacher)
    target = pw.plan(group=other_group)
    client = client_for("teacher")
    response = client.post(
        reverse("planning:plan_copy", args=[target.pk]), {"source": objects["plan_id"]}
    )
    assert response.status_code == 302
    assert plan_state(target.pk)[0] == [(1, "Первая", 2), (2, "Вторая", 1)]


def test_fulfilment_xlsx_download(client_for, objects):
    response = client_for("deputy").get(reverse("planning:fulfilment") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Класс / группа"
    assert [c.value for c in sheet[3]][:5] == ["5А", "Математика", sheet["C3"].value, "свой", 3]


def test_teacher_sees_only_own_courses_in_fulfilment(pw, client_for, objects):
    cls = f.ClassFactory(school=pw.w.school, year=pw.year, grade=7, letter="Г")
    group = f.GroupFactory(school_class=cls, name="7Г")
    f.load(group, pw.subject, pw.w.staff["homeroom"])
    teacher_rows = client_for("teacher").get(reverse("planning:fulfilment")).context["rows"]
    deputy_rows = client_for("deputy").get(reverse("planning:fulfilment")).context["rows"]
    assert [str(r.group) for r in teacher_rows] == ["5А"]
    assert [str(r.group) for r in deputy_rows] == ["5А", "7Г"]
    course = reverse("planning:fulfilment_course", args=[group.pk, pw.subject.pk])
    assert client_for("teacher").get(course).status_code == 404


# --- query counts ------------------------------------------------------------------


def count(client, target):
    client.get(target)  # the first request of a session also writes the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200, target
    return len(ctx.captured_queries)


def grow(pw, n, start=0):
    """n more groups with loads, plans, items and documented lessons."""
    for i in range(start, start + n):
        cls = f.ClassFactory(school=pw.w.school, year=pw.year, grade=6, letter=f"Р{i}")
        group = f.GroupFactory(school_class=cls, name=f"Рост {i}")
        f.load(group, pw.subject, pw.teacher, Decimal("2"))
        pw.plan(items=[item(f"Т{k}", 2) for k in range(5)], group=group)
        for day in weekdays(dt.date(2026, 9, 1), 3):
            pw.document(pw.lesson(day, group=group, number=i % 7 + 1))


@pytest.mark.parametrize("role", ["deputy", "teacher"])
@pytest.mark.parametrize("name", ["plan_list", "fulfilment"])
def test_list_pages_do_not_grow_with_the_school(pw, client_for, objects, role, name):
    client = client_for(role)
    target = reverse(f"planning:{name}")
    grow(pw, 1)
    small = count(client, target)
    grow(pw, 10, start=1)
    assert count(client, target) == small


def test_plan_page_does_not_grow_with_items_and_lessons(pw, client_for, objects):
    client = client_for("teacher")
    target = url("plan_detail", objects, "plan_id")
    small = count(client, target)
    plan = objects["plan"]
    for k in range(30):
        PlanItem.objects.create(plan=plan, number=100 + k, topic=f"Тема {k}", hours=1)
    for day in weekdays(dt.date(2026, 9, 2), 20):
        pw.document(pw.lesson(day))
    assert count(client, target) == small


def test_course_page_does_not_grow_with_lessons(pw, client_for, objects):
    client = client_for("teacher")
    target = url("fulfilment_course", objects, "group_id", "subject_id")
    small = count(client, target)
    for day in weekdays(dt.date(2026, 9, 2), 20):
        pw.document(pw.lesson(day))
        pw.lesson(day, number=2)
    assert count(client, target) == small
