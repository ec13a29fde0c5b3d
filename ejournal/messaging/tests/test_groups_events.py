"""Group addressing as of today's enrollment, announcements' audiences, events' results."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ejournal.messaging import selectors, services
from ejournal.messaging.models import AnnouncementAudience, EventKind
from ejournal.school.models import ClassEnrollment
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def _transferred_out_yesterday(world):
    """A student of 5А with a parent, moved to 6Б as of today."""
    student = f.StudentFactory(school=world.school, last_name="Переведённый")
    ClassEnrollment.objects.create(
        student=student,
        school_class=world.school_class,
        date_from=dt.date(2026, 9, 1),
        date_to=TODAY - dt.timedelta(days=1),
    )
    f.enroll(student, world.other_class, date_from=TODAY)
    parent = f.UserFactory(username="moved_parent")
    f.link_guardian(student, f.GuardianFactory(school=world.school, user=parent))
    f.grant(parent, "parent", world.school)
    return parent


def test_all_parents_of_a_class_are_todays_parents_only(world):
    moved_parent = _transferred_out_yesterday(world)
    ids = selectors.group_recipient_ids(
        school=world.school, key=f"parents:{world.school_class.pk}", day=TODAY
    )
    assert ids == {world.users["parent"].pk}
    other = selectors.group_recipient_ids(
        school=world.school, key=f"parents:{world.other_class.pk}", day=TODAY
    )
    assert other == {world.users["other_parent"].pk, moved_parent.pk}
    yesterday = selectors.group_recipient_ids(
        school=world.school, key=f"parents:{world.school_class.pk}", day=TODAY - dt.timedelta(1)
    )
    assert moved_parent.pk in yesterday


def test_all_teachers_of_a_class_and_all_staff(world):
    teachers = selectors.group_recipient_ids(
        school=world.school, key=f"teachers:{world.school_class.pk}", day=TODAY
    )
    assert teachers == {world.users["teacher"].pk, world.users["homeroom"].pk}
    staff = selectors.group_recipient_ids(school=world.school, key="staff", day=TODAY)
    assert staff == {world.users[r].pk for r in world.staff}
    foreign = f.ClassFactory(school=world.other_school)
    assert (
        selectors.group_recipient_ids(school=world.school, key=f"parents:{foreign.pk}", day=TODAY)
        == set()
    )


def test_compose_to_all_parents_of_5a_reaches_exactly_them(world, client_for):
    moved_parent = _transferred_out_yesterday(world)
    response = client_for("homeroom").post(
        "/messages/new/",
        {"groups": [f"parents:{world.school_class.pk}"], "subject": "Собрание", "body": "В 18:00"},
    )
    assert response.status_code == 302
    from ejournal.messaging.models import Conversation

    users = set(Conversation.objects.get().participants.values_list("user_id", flat=True))
    assert users == {world.users["homeroom"].pk, world.users["parent"].pk}
    assert moved_parent.pk not in users


def test_families_cannot_use_group_addressing(world, client_for):
    response = client_for("parent").post(
        "/messages/new/",
        {"groups": ["staff"], "subject": "Всем", "body": "Текст"},
    )
    assert response.status_code == 200
    from ejournal.messaging.models import Conversation

    assert not Conversation.objects.exists()


def _announce(world, audience, **extra):
    return services.announcement_create(
        actor=world.users["director"],
        school=world.school,
        audience=audience,
        title=f"Для {audience}",
        body="Текст",
        publish_from=TODAY - dt.timedelta(days=1),
        **extra,
    )


def test_announcements_reach_their_audience_only(world):
    _announce(world, AnnouncementAudience.SCHOOL)
    _announce(world, AnnouncementAudience.STAFF)
    _announce(world, AnnouncementAudience.CLASS, school_class=world.school_class)
    _announce(world, AnnouncementAudience.GRADE, grade=6)
    services.announcement_create(
        actor=world.users["director"],
        school=world.school,
        audience=AnnouncementAudience.SCHOOL,
        title="Устарело",
        body="x",
        publish_from=TODAY - dt.timedelta(days=10),
        publish_until=TODAY - dt.timedelta(days=1),
    )

    def titles(role, **kw):
        found = selectors.announcements_for(
            user=world.users[role], school=world.school, day=TODAY, **kw
        )
        return {a.title for a in found}

    assert titles("parent") == {"Для school", "Для class"}
    assert titles("other_parent") == {"Для school", "Для grade"}
    assert titles("student") == {"Для school", "Для class"}
    assert titles("teacher") == {"Для school", "Для staff", "Для class", "Для grade"}
    assert titles("director", student=world.other_child) == {"Для school", "Для grade"}


def test_only_administration_publishes_announcements(world):
    with pytest.raises(ValidationError):
        services.announcement_create(
            actor=world.users["teacher"],
            school=world.school,
            audience=AnnouncementAudience.SCHOOL,
            title="x",
            body="y",
            publish_from=TODAY,
        )
    with pytest.raises(ValidationError) as exc:
        _announce(world, AnnouncementAudience.CLASS)
    assert "класс" in exc.value.messages[0]


def test_announcements_show_on_the_start_page(world, client_for):
    _announce(world, AnnouncementAudience.SCHOOL)
    from ejournal.core import registry

    assert selectors.start_page_block in registry.START_PAGE_BLOCKS.providers()
    assert "Для school" in client_for("parent").get("/").content.decode()
    assert "Для school" in client_for("teacher").get("/").content.decode()


def _event(world, **extra):
    return services.event_create(
        actor=world.users["teacher"],
        school=world.school,
        kind=EventKind.OLYMPIAD,
        title="Олимпиада по математике",
        starts_at=dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC),
        place="каб. 12",
        **extra,
    )


def test_event_results_show_only_for_participants(world):
    event = _event(world, students=[world.child])
    services.event_result_set(
        actor=world.users["teacher"],
        event=event,
        student=world.child,
        place="1",
        diploma="победитель",
        score="95",
    )
    week = (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    mine = selectors.events_for_student(student=world.child, start=week[0], end=week[1])
    assert [e.title for e in mine] == ["Олимпиада по математике"]
    assert mine[0].my_result.diploma == "победитель"
    assert selectors.events_for_student(student=world.other_child, start=week[0], end=week[1]) == []
    assert selectors.result_of(event=event, student=world.other_child) is None
    classmate = world.students[1]
    assert selectors.events_for_student(student=classmate, start=week[0], end=week[1]) == []


def test_a_class_event_shows_for_its_students_without_others_results(world):
    event = _event(world, classes=[world.school_class], students=[world.child])
    services.event_result_set(
        actor=world.users["teacher"], event=event, student=world.child, place="2"
    )
    classmate = world.students[1]
    found = selectors.events_for_student(
        student=classmate, start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 29)
    )
    assert [e.pk for e in found] == [event.pk]
    assert found[0].my_result is None


def test_parents_see_their_childs_result_but_not_classmates(world, client_for):
    event = _event(world, students=[world.child, world.students[1]])
    services.event_result_set(
        actor=world.users["teacher"], event=event, student=world.students[1], diploma="призёр"
    )
    services.event_result_set(
        actor=world.users["teacher"], event=event, student=world.child, diploma="участник"
    )
    page = client_for("parent").get("/messages/events/").content.decode()
    assert "участник" in page and "призёр" not in page
    assert "Олимпиада" not in client_for("other_parent").get("/messages/events/").content.decode()


def test_events_report_and_xlsx(world, client_for):
    event = _event(world, students=[world.child])
    services.event_result_set(
        actor=world.users["teacher"], event=event, student=world.child, place="1", score="90"
    )
    q = "?start=2026-11-01&end=2026-11-30"
    page = client_for("deputy").get("/messages/events/report/" + q).content.decode()
    assert "Олимпиада по математике" in page and world.child.full_name in page
    response = client_for("deputy").get("/messages/events/report.xlsx" + q)
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][2] == "Олимпиада по математике" and rows[2][4] == world.child.full_name
    assert rows[2][7] == 90
    assert rows[2][0] == "25.11.2026 13:00"  # 10:00 UTC is 13:00 at a Moscow school


def test_event_with_a_student_of_another_school_is_refused(world):
    foreign = f.StudentFactory(school=world.other_school)
    with pytest.raises(ValidationError):
        _event(world, students=[foreign])
    from ejournal.messaging.models import SchoolEvent

    assert not SchoolEvent.objects.exists()


def test_a_class_announcement_and_a_class_event_notify_that_class_only(world):
    from ejournal.notifications.models import Notification

    _announce(world, AnnouncementAudience.CLASS, school_class=world.school_class)
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert {"parent", "student", "teacher"} <= notified
    assert "other_parent" not in notified
    Notification.objects.all().delete()
    _event(world, classes=[world.other_class])
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"other_parent"}


def test_a_teacher_sees_and_sets_results_only_of_the_pupils_they_teach_or_lead(world):
    from django.test import Client

    from ejournal.accounts.models import Role

    event = _event(world, students=[world.child])
    services.event_result_set(
        actor=world.users["teacher"], event=event, student=world.child, diploma="победитель"
    )
    stranger_user = f.UserFactory(username="stranger_teacher")
    f.StaffFactory(school=world.school, user=stranger_user)
    f.grant(stranger_user, Role.TEACHER, world.school)
    # Setting a result for a pupil the teacher does not teach is refused without naming them.
    with pytest.raises(ValidationError) as refused:
        services.event_result_set(
            actor=stranger_user, event=event, student=world.child, diploma="подделка"
        )
    assert world.child.last_name not in " ".join(refused.value.messages)
    assert selectors.result_of(event=event, student=world.child).diploma == "победитель"
    # Nor are the results shown to them, on the page, the report or the workbook.
    client = Client()
    client.force_login(stranger_user)
    page = client.get(f"/messages/events/{event.pk}/").content.decode()
    assert world.child.full_name not in page and "победитель" not in page
    q = "?start=2026-11-01&end=2026-11-30"
    report = client.get("/messages/events/report/" + q).content.decode()
    assert "Олимпиада по математике" in report and "победитель" not in report
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/messages/events/report.xlsx" + q).content))
    cells = {v for row in book.active.iter_rows(values_only=True) for v in row}
    assert "Олимпиада по математике" in cells and "победитель" not in cells
    forged = client.post(
        f"/messages/events/{event.pk}/", {"student": world.child.pk, "diploma": "подделка"}
    )
    assert forged.status_code == 200
    assert selectors.result_of(event=event, student=world.child).diploma == "победитель"
    # The homeroom teacher of the pupil's class may.
    services.event_result_set(
        actor=world.users["homeroom"], event=event, student=world.child, diploma="призёр"
    )
    assert selectors.result_of(event=event, student=world.child).diploma == "призёр"


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        # The form as the page first shows it, posted back: the school year.
        ("?start=2026-09-01&end=2027-05-31", "2026-09-01", "2027-05-31"),
        # «Показать» with a date field emptied: its end of the year stands in.
        ("?start=&end=", "2026-09-01", "2027-05-31"),
        ("?start=2026-11-24&end=", "2026-11-24", "2027-05-31"),
        ("?start=&end=2026-11-30", "2026-09-01", "2026-11-30"),
    ],
)
def test_the_families_events_filter_works_without_picking_a_date(
    world, client_for, query, start, end
):
    _event(world, students=[world.child])
    page = client_for("parent").get("/messages/events/" + query).content.decode()
    assert "Олимпиада по математике" in page
    assert "errorlist" not in page
    assert f'name="start" value="{start}"' in page and f'name="end" value="{end}"' in page


def test_the_events_filter_keeps_the_picked_period_and_refuses_a_reversed_one(world, client_for):
    _event(world, students=[world.child])
    later = client_for("parent").get("/messages/events/?start=2026-11-26&end=").content.decode()
    assert "Олимпиада по математике" not in later
    reversed_ = client_for("parent").get("/messages/events/?start=2026-12-01&end=2026-11-01")
    assert "Дата окончания раньше даты начала." in reversed_.content.decode()
    assert "Олимпиада по математике" in reversed_.content.decode()  # the default period
