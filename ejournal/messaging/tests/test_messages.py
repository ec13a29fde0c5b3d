"""Conversations: privacy by id, attachments, sanitising, read receipts, search, comments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ejournal.accounts.models import Role
from ejournal.messaging import selectors, services
from ejournal.messaging.models import Attachment, Conversation, Message
from ejournal.notifications.models import Notification
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def start(world, sender="teacher", to=("parent",), body="Здравствуйте", uploads=()):
    return services.conversation_start(
        actor=world.users[sender],
        school=world.school,
        recipient_ids=[world.users[r].pk for r in to],
        subject="Об успеваемости",
        body=body,
        uploads=uploads,
    )


def test_a_non_recipient_gets_404_for_the_conversation_and_its_attachment(world, client_for):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    conversation = start(world, uploads=[upload])
    attachment = Attachment.objects.get()
    for role in ("other_parent", "student", "director", "outsider"):
        client = client_for(role)
        assert client.get(f"/messages/{conversation.pk}/").status_code == 404
        assert client.get(f"/messages/files/{attachment.pk}/").status_code == 404
        assert client.post(f"/messages/{conversation.pk}/", {"body": "x"}).status_code == 404
    assert Message.objects.count() == 1


def test_recipients_download_the_attachment_as_a_file(world, client_for):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    start(world, uploads=[upload])
    attachment = Attachment.objects.get()
    for role in ("parent", "teacher"):
        response = client_for(role).get(f"/messages/files/{attachment.pk}/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF


def test_an_attachment_of_a_wrong_kind_is_refused_and_nothing_is_saved(world):
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        start(world, uploads=[fake])
    assert "не соответствует" in exc.value.messages[0]
    assert not Conversation.objects.exists() and not Attachment.objects.exists()


def test_script_in_a_message_is_neutralised(world, client_for):
    conversation = start(
        world,
        body='<p onclick="steal()">Привет<script>alert(1)</script>'
        '<a href="javascript:alert(2)">ссылка</a><img src=x onerror=alert(3)></p>',
    )
    body = Message.objects.get().body
    assert "<script" not in body and "onclick" not in body
    assert "javascript:" not in body and "onerror" not in body
    assert "Привет" in body
    page = client_for("parent").get(f"/messages/{conversation.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "onerror" not in page


def test_plain_text_keeps_its_lines_and_angle_brackets_are_escaped(world):
    start(world, body="Строка 1\nСтрока 2 & 3")
    assert Message.objects.get().body == "Строка 1<br>Строка 2 &amp; 3"


def test_empty_message_is_refused_in_russian(world):
    with pytest.raises(ValidationError) as exc:
        start(world, body="<script>x</script>")
    assert exc.value.messages == ["Напишите текст сообщения."]
    assert not Conversation.objects.exists()


def test_unread_counter_and_read_receipts(world, client_for):
    conversation = start(world, to=("parent", "homeroom"))
    parent = world.users["parent"]
    assert selectors.unread_count(user=parent, school=world.school) == 1
    assert selectors.unread_count(user=world.users["teacher"], school=world.school) == 0
    assert "(1)" in client_for("parent").get("/messages/unread/").content.decode()
    assert "(1)" not in client_for("teacher").get("/messages/unread/").content.decode()
    client_for("parent").get(f"/messages/{conversation.pk}/")
    assert selectors.unread_count(user=parent, school=world.school) == 0
    found = selectors.conversation_for(
        user=world.users["teacher"], school=world.school, conversation_id=conversation.pk
    )
    receipts = {str(r.user): r.read for r in selectors.receipts(found, found.messages.all()[0])}
    assert receipts == {str(parent): True, str(world.users["homeroom"]): False}


def test_a_reply_notifies_the_other_participants_and_is_audited(world, client_for):
    conversation = start(world)
    response = client_for("parent").post(f"/messages/{conversation.pk}/", {"body": "Спасибо"})
    assert response.status_code == 302
    assert Message.objects.count() == 2
    assert Notification.objects.filter(user=world.users["teacher"], event="message").exists()
    assert selectors.unread_count(user=world.users["teacher"], school=world.school) == 1


def test_search_finds_only_own_mail(world):
    start(world, body="Про олимпиаду по математике")
    services.conversation_start(
        actor=world.users["director"],
        school=world.school,
        recipient_ids=[world.users["other_parent"].pk],
        subject="Другое",
        body="Тоже про олимпиаду",
    )
    mine = list(selectors.inbox(user=world.users["parent"], school=world.school, query="олимп"))
    assert [c.subject for c in mine] == ["Об успеваемости"]
    none = selectors.inbox(user=world.users["parent"], school=world.school, query="погода")
    assert list(none) == []


def test_family_picker_lists_only_allowed_staff(world):
    people = selectors.pickable_recipients(
        user=world.users["parent"], school=world.school, day=dt.date(2026, 11, 23)
    )
    usernames = {u.username for u in people}
    assert usernames == {"teacher", "homeroom", "admin", "director", "deputy"}
    assert not usernames & {"other_parent", "student"}


def test_teacher_comment_on_a_mark_references_the_mark(world, client_for):
    from ejournal.journal.models import Mark, Work, WorkType

    lesson = f.make_lesson(
        world.group, world.subject, world.staff["teacher"], dt.date(2026, 11, 20)
    )
    work_type = WorkType.objects.create(
        school=world.school, name="Ответ у доски", short_name="УО", category="oral"
    )
    work = Work.objects.create(lesson=lesson, work_type=work_type)
    mark = Mark.objects.create(work=work, student=world.child, value="4", numeric=4)
    conversation = services.teacher_comment_send(
        actor=world.users["teacher"],
        school=world.school,
        student=world.child,
        mark=mark,
        text="Хороший ответ, но без вывода.",
    )
    message = Message.objects.get()
    assert message.mark == mark and message.lesson == lesson
    assert "отметке 4" in conversation.subject
    page = client_for("parent").get(f"/messages/{conversation.pk}/").content.decode()
    assert "Хороший ответ" in page
    # The diary week lists it under its lesson's day, subject and mark, with the sender.
    week = client_for("parent").get(f"/diary/{world.child.pk}/week/?date=2026-11-20")
    teacher = world.users["teacher"]
    assert (
        f"20.11, {world.subject.name} (отметка 4) — {teacher}:</span> Хороший ответ"
        in week.content.decode()
    )


def test_teacher_comment_on_a_lesson_reaches_the_parents_and_the_diary_selector(world):
    lesson = f.make_lesson(
        world.group, world.subject, world.staff["teacher"], dt.date(2026, 11, 20)
    )
    services.teacher_comment_send(
        actor=world.users["teacher"],
        school=world.school,
        student=world.child,
        lesson=lesson,
        text="Сегодня был невнимателен.",
    )
    conversation = Conversation.objects.get()
    users = {p.user.username for p in conversation.participants.select_related("user")}
    assert users == {"teacher", "parent"}
    comments = list(
        selectors.teacher_comments_for(
            student=world.child, start=dt.date(2026, 11, 16), end=dt.date(2026, 11, 22)
        )
    )
    assert [c.body for c in comments] == ["Сегодня был невнимателен."]


def test_a_teacher_who_does_not_teach_the_child_cannot_comment(world):
    stranger = f.UserFactory(username="stranger")
    f.StaffFactory(school=world.school, user=stranger)
    f.grant(stranger, Role.TEACHER, world.school)
    lesson = f.make_lesson(
        world.group, world.subject, world.staff["teacher"], dt.date(2026, 11, 20)
    )
    with pytest.raises(ValidationError) as exc:
        services.teacher_comment_send(
            actor=stranger, school=world.school, student=world.child, lesson=lesson, text="x"
        )
    assert "учитель этого ученика" in exc.value.messages[0]
    assert not Message.objects.exists()


def test_event_result_score_must_be_a_number(world):
    from ejournal.messaging.models import EventKind

    event = services.event_create(
        actor=world.users["teacher"],
        school=world.school,
        kind=EventKind.OLYMPIAD,
        title="Олимпиада",
        starts_at=dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC),
    )
    with pytest.raises(ValidationError):
        services.event_result_set(
            actor=world.users["teacher"], event=event, student=world.child, score="много"
        )
    row = services.event_result_set(
        actor=world.users["teacher"], event=event, student=world.child, score="87,5"
    )
    assert row.score == Decimal("87.5")


def test_announcement_attachment_is_served_only_to_its_audience(world, client_for):
    from ejournal.messaging.models import AnnouncementAudience

    services.announcement_create(
        actor=world.users["director"],
        school=world.school,
        audience=AnnouncementAudience.CLASS,
        school_class=world.school_class,
        title="Собрание 5А",
        body="Повестка во вложении",
        publish_from=dt.date(2026, 11, 20),
        uploads=[SimpleUploadedFile("agenda.pdf", PDF, content_type="application/pdf")],
    )
    attachment = Attachment.objects.get()
    url = f"/messages/files/{attachment.pk}/"
    for role in ("parent", "student", "teacher", "director"):
        assert client_for(role).get(url).status_code == 200, role
    for role in ("other_parent", "outsider"):
        assert client_for(role).get(url).status_code == 404, role


def test_staff_picker_lists_everyone_of_the_school_but_not_outsiders(world):
    people = selectors.pickable_recipients(
        user=world.users["teacher"], school=world.school, day=dt.date(2026, 11, 23)
    )
    usernames = {u.username for u in people}
    assert {"parent", "other_parent", "student", "director"} <= usernames
    assert not usernames & {"teacher", "outsider", "inspector"}


def test_a_family_cannot_post_a_hidden_recipient_through_the_form(world, client_for):
    response = client_for("parent").post(
        "/messages/new/",
        {"recipients": [world.users["other_parent"].pk], "subject": "x", "body": "y"},
    )
    assert response.status_code == 200
    assert not Conversation.objects.exists()


def test_reply_form_takes_attachments_and_refuses_bad_ones(world, client_for):
    conversation = start(world)
    client = client_for("parent")
    good = SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf")
    client.post(f"/messages/{conversation.pk}/", {"body": "Справка", "attachments": [good]})
    assert Attachment.objects.get().original_name == "note.pdf"
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    page = client.post(f"/messages/{conversation.pk}/", {"body": "Ещё", "attachments": [bad]})
    assert "не принимаются" in page.content.decode()
    assert Message.objects.count() == 2 and Attachment.objects.count() == 1


def test_the_notification_carries_the_messages_text(world, client_for):
    """An e-mail, SMS or push about a message says what it says, not only its subject."""
    conversation = start(world)
    client_for("parent").post(
        f"/messages/{conversation.pk}/",
        {"body": "<p>Спасибо, придём <b>в четверг</b> &amp; принесём справку.</p>"},
    )
    note = Notification.objects.filter(user=world.users["teacher"], event="message").latest("pk")
    assert "Спасибо, придём в четверг & принесём справку." in note.body
    assert "<" not in note.body
    long = "слово " * 200
    client_for("parent").post(f"/messages/{conversation.pk}/", {"body": long})
    note = Notification.objects.filter(user=world.users["teacher"], event="message").latest("pk")
    assert note.body.endswith("…") and len(note.body) < 700
