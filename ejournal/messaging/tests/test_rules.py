"""Who may write to whom: each rule allowed and refused, nothing saved on refusal."""

import pytest
from django.core.exceptions import ValidationError

from ejournal.accounts.models import Role
from ejournal.audit.models import AuditEvent
from ejournal.messaging import services
from ejournal.messaging.models import Conversation, Message, MessagingSettings
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

REFUSAL = "Вы можете писать только"


def send(world, sender, recipient):
    return services.conversation_start(
        actor=world.users[sender],
        school=world.school,
        recipient_ids=[world.users[recipient].pk],
        subject="Вопрос",
        body="Здравствуйте",
    )


def refused(world, sender, recipient):
    before = Conversation.objects.count(), Message.objects.count()
    with pytest.raises(ValidationError) as exc:
        send(world, sender, recipient)
    assert (Conversation.objects.count(), Message.objects.count()) == before
    return exc.value.messages[0]


@pytest.mark.parametrize(
    "sender,recipient",
    [
        ("teacher", "parent"),
        ("teacher", "other_parent"),
        ("teacher", "student"),
        ("operator", "director"),
        ("hr", "parent"),
        ("homeroom", "other_parent"),
    ],
)
def test_staff_may_write_to_anyone_in_the_school(world, sender, recipient):
    conversation = send(world, sender, recipient)
    assert conversation.participants.count() == 2
    assert AuditEvent.objects.filter(action="message.sent").count() == 1


@pytest.mark.parametrize("recipient", ["teacher", "homeroom", "director", "deputy", "admin"])
def test_parent_may_write_to_teachers_of_the_child_and_administration(world, recipient):
    assert send(world, "parent", recipient).pk


@pytest.mark.parametrize("recipient", ["other_parent", "student", "operator", "hr"])
def test_parent_may_not_write_to_other_families_or_unrelated_staff(world, recipient):
    assert REFUSAL in refused(world, "parent", recipient)


def test_parent_may_not_write_to_a_teacher_who_does_not_teach_the_child(world):
    stranger = f.UserFactory(username="stranger")
    f.StaffFactory(school=world.school, user=stranger)
    f.grant(stranger, Role.TEACHER, world.school)
    with pytest.raises(ValidationError):
        services.conversation_start(
            actor=world.users["parent"],
            school=world.school,
            recipient_ids=[stranger.pk],
            subject="Вопрос",
            body="Текст",
        )
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("recipient", ["teacher", "homeroom"])
def test_student_may_write_to_own_teachers_and_homeroom_teacher(world, recipient):
    assert send(world, "student", recipient).pk


@pytest.mark.parametrize("recipient", ["other_parent", "parent", "director", "operator"])
def test_student_may_not_write_to_families_or_administration(world, recipient):
    assert REFUSAL in refused(world, "student", recipient)


def test_school_can_switch_off_parents_writing_to_administration(world):
    MessagingSettings.objects.create(school=world.school, parents_to_administration=False)
    assert REFUSAL in refused(world, "parent", "director")
    assert send(world, "parent", "teacher").pk


def test_school_can_switch_off_students_writing_to_teachers(world):
    MessagingSettings.objects.create(school=world.school, students_to_teachers=False)
    assert REFUSAL in refused(world, "student", "teacher")


def test_nobody_writes_into_another_school(world):
    message = refused(world, "outsider", "teacher")
    assert "не можете писать" in message
    with pytest.raises(ValidationError):
        send(world, "teacher", "outsider")
    assert not Conversation.objects.exists()


def test_settings_are_changed_only_by_administration_and_audited(world):
    with pytest.raises(ValidationError):
        services.messaging_settings_save(
            actor=world.users["teacher"],
            school=world.school,
            parents_to_teachers=False,
            parents_to_administration=False,
            students_to_teachers=False,
        )
    assert not MessagingSettings.objects.exists()
    services.messaging_settings_save(
        actor=world.users["director"],
        school=world.school,
        parents_to_teachers=True,
        parents_to_administration=False,
        students_to_teachers=True,
    )
    assert AuditEvent.objects.filter(action="messaging_settings.changed").exists()
