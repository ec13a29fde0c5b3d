"""Messages between users of a school, announcements and the events calendar («События»)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class MessagingSettings(models.Model):
    """Who may write to whom, beyond staff (who may always write to anyone in the school)."""

    school = models.OneToOneField(
        "school.School", on_delete=models.CASCADE, related_name="messaging_settings"
    )
    parents_to_teachers = models.BooleanField(
        "родители пишут учителям своих детей и классному руководителю", default=True
    )
    parents_to_administration = models.BooleanField("родители пишут администрации", default=True)
    students_to_teachers = models.BooleanField(
        "ученики пишут своим учителям и классному руководителю", default=True
    )

    class Meta:
        verbose_name = "настройки сообщений"
        verbose_name_plural = "настройки сообщений"


class Conversation(models.Model):
    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="conversations"
    )
    subject = models.CharField("тема", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "переписка"
        verbose_name_plural = "переписки"
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class Participant(models.Model):
    """A user in a conversation; ``last_read_at`` gives unread counts and read receipts."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_links"
    )
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "участник переписки"
        verbose_name_plural = "участники переписки"
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_unique")
        ]


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField("текст")  # sanitised HTML
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A teacher's comment to parents about a mark or a lesson of one student.
    student = models.ForeignKey(
        "accounts.Student", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mark = models.ForeignKey(
        "journal.Mark", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lesson = models.ForeignKey(
        "schedule.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        ordering = ["created_at", "id"]


class AnnouncementAudience(models.TextChoices):
    SCHOOL = "school", "вся школа"
    GRADE = "grade", "параллель"
    CLASS = "class", "класс"
    STAFF = "staff", "только сотрудники"


class Announcement(models.Model):
    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="announcements"
    )
    audience = models.CharField("для кого", max_length=8, choices=AnnouncementAudience.choices)
    grade = models.PositiveSmallIntegerField("параллель", null=True, blank=True)
    school_class = models.ForeignKey(
        "school.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name="класс",
    )
    title = models.CharField("заголовок", max_length=200)
    body = models.TextField("текст")  # sanitised HTML
    publish_from = models.DateField("опубликовать с")
    publish_until = models.DateField("показывать по", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "объявление"
        verbose_name_plural = "объявления"
        ordering = ["-publish_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_until__isnull=True)
                | Q(publish_until__gte=models.F("publish_from")),
                name="announcement_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"messaging/{instance.school_id}/{filename}"


class Attachment(models.Model):
    """A file of a message or of an announcement; served only through a checked view."""

    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    OLYMPIAD = "olympiad", "олимпиада"
    COMPETITION = "competition", "конкурс, соревнование"
    PARENT_MEETING = "meeting", "родительское собрание"
    EXCURSION = "excursion", "экскурсия"
    OTHER = "other", "другое"


class SchoolEvent(models.Model):
    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("вид", max_length=12, choices=EventKind.choices)
    title = models.CharField("название", max_length=200)
    description = models.TextField("описание", blank=True)
    starts_at = models.DateTimeField("начало", db_index=True)
    ends_at = models.DateTimeField("окончание", null=True, blank=True)
    place = models.CharField("место", max_length=200, blank=True)
    classes = models.ManyToManyField(
        "school.SchoolClass", blank=True, related_name="events", verbose_name="классы"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "событие"
        verbose_name_plural = "события"
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class EventParticipant(models.Model):
    """A student taking part in an event, with the result once known."""

    event = models.ForeignKey(SchoolEvent, on_delete=models.CASCADE, related_name="participants")
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="event_participations"
    )
    place = models.CharField("место", max_length=50, blank=True)
    diploma = models.CharField("диплом", max_length=100, blank=True)
    score = models.DecimalField("баллы", max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "участник события"
        verbose_name_plural = "участники событий"
        constraints = [
            models.UniqueConstraint(fields=["event", "student"], name="event_participant_unique")
        ]

    @property
    def has_result(self) -> bool:
        return bool(self.place or self.diploma or self.score is not None)
