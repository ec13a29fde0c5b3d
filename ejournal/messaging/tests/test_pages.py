"""Who can open each page, and pages whose query count does not grow with data."""

import datetime as dt

import pytest

from ejournal.messaging import services
from ejournal.messaging.models import EventKind, SchoolEvent
from ejournal.testing import factories as f
from ejournal.testing.world import WORLD_ROLES

pytestmark = pytest.mark.django_db

SCHOOL_ROLES = tuple(r for r in WORLD_ROLES if r not in ("other_parent", "outsider", "inspector"))
ALL = (*WORLD_ROLES, "anonymous")
ADMINISTRATION = ("admin", "director", "deputy")
EVENT_EDITORS = ADMINISTRATION + ("teacher", "homeroom")

PAGES = {
    "/messages/": SCHOOL_ROLES + ("other_parent", "outsider"),
    "/messages/new/": SCHOOL_ROLES + ("other_parent", "outsider"),
    "/messages/announcements/": SCHOOL_ROLES + ("other_parent", "outsider"),
    "/messages/events/": SCHOOL_ROLES + ("other_parent", "outsider"),
    "/messages/settings/": ADMINISTRATION + ("outsider",),
    "/messages/announcements/new/": ADMINISTRATION + ("outsider",),
    "/messages/events/new/": EVENT_EDITORS + ("outsider",),
    "/messages/events/report/": EVENT_EDITORS + ("outsider",),
    "/messages/events/report.xlsx": EVENT_EDITORS + ("outsider",),
}


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("url", list(PAGES))
def test_role_access(world, client_for, url, role):
    response = client_for(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif role in PAGES[url]:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ALL)
def test_event_page_is_for_editors_of_its_school(world, client_for, role):
    event = SchoolEvent.objects.create(
        school=world.school,
        kind=EventKind.EXCURSION,
        title="Экскурсия",
        starts_at=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC),
    )
    response = client_for(role).get(f"/messages/events/{event.pk}/")
    if role == "anonymous":
        assert response.status_code == 302
    elif role in EVENT_EDITORS:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_posting_to_an_editor_page_is_refused_for_families(world, client_for):
    response = client_for("parent").post(
        "/messages/announcements/new/",
        {"title": "x", "audience": "school", "body": "y", "publish_from": "2026-11-23"},
    )
    assert response.status_code == 404
    from ejournal.messaging.models import Announcement

    assert not Announcement.objects.exists()


def _mail(world, n, start=0):
    teacher, parent = world.users["teacher"], world.users["parent"]
    for i in range(start, start + n):
        extra = f.UserFactory(username=f"colleague{i}")
        f.StaffFactory(school=world.school, user=extra)
        f.grant(extra, "teacher", world.school)
        conversation = services.conversation_start(
            actor=teacher,
            school=world.school,
            recipient_ids=[parent.pk, extra.pk],
            subject=f"Тема {i}",
            body="Текст",
        )
        services.message_reply(actor=parent, conversation=conversation, body="Ответ")
    return conversation


def _count(client, url, django_assert_max_num_queries, limit):
    client.get(url)  # the first request of a session also stores the session
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/messages/", "/messages/?q=Тема"])
def test_inbox_query_count_does_not_grow(world, client_for, django_assert_max_num_queries, url):
    _mail(world, 1)
    client = client_for("parent")
    small = _count(client, url, django_assert_max_num_queries, 25)
    _mail(world, 6, start=1)
    assert _count(client, url, django_assert_max_num_queries, 25) == small


def test_conversation_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = _mail(world, 1)
    client = client_for("teacher")
    url = f"/messages/{conversation.pk}/"
    small = _count(client, url, django_assert_max_num_queries, 25)
    for i in range(5):
        services.message_reply(
            actor=world.users["parent"],
            conversation=conversation,
            body=f"Ещё {i}",
            uploads=[SimpleUploadedFile(f"a{i}.txt", b"hello", content_type="text/plain")],
        )
    assert _count(client, url, django_assert_max_num_queries, 25) == small


def test_events_page_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            event = services.event_create(
                actor=world.users["teacher"],
                school=world.school,
                kind=EventKind.COMPETITION,
                title=f"Конкурс {i}",
                starts_at=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC),
                classes=[world.school_class],
                students=world.students,
            )
            services.event_result_set(
                actor=world.users["teacher"], event=event, student=world.child, place="1"
            )

    add(1)
    for role, url in (("deputy", "/messages/events/report/"), ("parent", "/messages/events/")):
        client = client_for(role)
        small = _count(client, url, django_assert_max_num_queries, 30)
        add(4)
        assert _count(client, url, django_assert_max_num_queries, 30) == small


@pytest.mark.parametrize("role", ALL)
def test_unread_counter_answers_everyone_and_leaks_nothing(world, client_for, role):
    _mail(world, 1)
    response = client_for(role).get("/messages/unread/")
    assert response.status_code == 200
    # The teacher has the parent's reply unread; the parent has read everything.
    assert ("(1)" in response.content.decode()) == (role == "teacher")


def test_nav_links_to_messages_without_counting_on_every_page(
    world, client_for, django_assert_max_num_queries
):
    client = client_for("parent")
    page = client.get("/").content.decode()
    assert 'hx-get="/messages/unread/"' in page and "Сообщения" in page
    client.get("/messages/unread/")
    with django_assert_max_num_queries(5):
        client.get("/messages/unread/")


@pytest.mark.parametrize("role", ALL)
def test_comment_page_roles_and_posting(world, client_for, role):
    from ejournal.messaging.models import Message

    lesson = f.make_lesson(
        world.group, world.subject, world.staff["teacher"], dt.date(2026, 11, 20)
    )
    url = f"/messages/comment/?lesson={lesson.pk}&student={world.child.pk}"
    response = client_for(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if role in EVENT_EDITORS else 404)
    response = client_for(role).post(
        "/messages/comment/",
        {"lesson": lesson.pk, "student": world.child.pk, "text": "Молодец"},
    )
    sent = Message.objects.filter(lesson=lesson, student=world.child).exists()
    # Teachers of the child and the administration may comment; the homeroom teacher of
    # 5А teaches the class too. Others (families, outsiders) never reach the service.
    assert sent == (role in ("teacher", "homeroom") + ADMINISTRATION)


def test_an_event_result_opens_for_correction_with_what_was_saved(world, client_for):
    """«Изменить» next to a result fills the form with it; saving it back changes only what
    was corrected."""
    event = services.event_create(
        actor=world.users["deputy"],
        school=world.school,
        kind=EventKind.COMPETITION,
        title="Олимпиада по математике",
        starts_at=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC),
        classes=[world.school_class],
        students=world.students,
    )
    services.event_result_set(
        actor=world.users["deputy"],
        event=event,
        student=world.child,
        place="2",
        diploma="Призёр",
        score="41",
    )
    client = client_for("deputy")
    url = f"/messages/events/{event.pk}/"
    listing = client.get(url).content.decode()
    assert f'href="?student={world.child.pk}#result-form"' in listing
    page = client.get(url, {"student": world.child.pk}).content.decode()
    form = page[page.index('id="result-form"') :]
    assert 'value="Призёр"' in form and 'value="41"' in form and 'value="2"' in form
    assert f'<option value="{world.child.pk}" selected>' in page
    client.post(
        url,
        {"student": world.child.pk, "place": "1", "diploma": "Победитель", "score": "41"},
    )
    result = event.participants.get(student=world.child)
    assert (result.place, result.diploma) == ("1", "Победитель")
    assert event.participants.count() == len(world.students)
