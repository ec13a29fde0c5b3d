"""Bell schedule, weekly timetable, and the dated lessons materialised from it.

``Lesson`` is the row the journal hangs its topic, homework, works, marks and attendance
on (in its own app, by foreign key). Field names here are a contract: add, never rename.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class BellScheduleKind(models.TextChoices):
    REGULAR = "regular", "обычный день"
    SHORTENED = "shortened", "сокращённый день"
    OTHER = "other", "особый день"


SHIFT_CHOICES = [(1, "1 смена"), (2, "2 смена")]


class BellSchedule(models.Model):
    """One variant of lesson times for a shift (обычный, сокращённый день ...).

    The default variant of a shift applies every day unless a ``BellScheduleDay``
    picks another variant for a date.
    """

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="bell_schedules"
    )
    name = models.CharField("название", max_length=100)
    shift = models.PositiveSmallIntegerField("смена", choices=SHIFT_CHOICES, default=1)
    kind = models.CharField(
        "вид", max_length=16, choices=BellScheduleKind.choices, default=BellScheduleKind.REGULAR
    )
    is_default = models.BooleanField("по умолчанию для смены", default=False)

    class Meta:
        verbose_name = "расписание звонков"
        verbose_name_plural = "расписания звонков"
        ordering = ["shift", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="bell_schedule_unique_name"),
            models.UniqueConstraint(
                fields=["school", "shift"],
                condition=Q(is_default=True),
                name="bell_schedule_one_default_per_shift",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BellSlot(models.Model):
    """Lesson number → start and end time within one bell schedule variant."""

    bell_schedule = models.ForeignKey(BellSchedule, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField("номер урока")
    start_time = models.TimeField("начало")
    end_time = models.TimeField("окончание")

    class Meta:
        verbose_name = "звонок"
        verbose_name_plural = "звонки"
        ordering = ["bell_schedule", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["bell_schedule", "number"], name="bell_slot_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="bell_slot_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class BellScheduleDay(models.Model):
    """A date on which a shift follows a non-default variant (e.g. a shortened day)."""

    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="bell_days")
    date = models.DateField("дата")
    shift = models.PositiveSmallIntegerField("смена", choices=SHIFT_CHOICES, default=1)
    bell_schedule = models.ForeignKey(
        BellSchedule, on_delete=models.CASCADE, related_name="days", verbose_name="вариант"
    )

    class Meta:
        verbose_name = "вариант звонков на дату"
        verbose_name_plural = "варианты звонков на даты"
        ordering = ["date", "shift"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "shift"], name="bell_day_unique_date_shift"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.bell_schedule}"


class Weekday(models.IntegerChoices):
    MONDAY = 1, "понедельник"
    TUESDAY = 2, "вторник"
    WEDNESDAY = 3, "среда"
    THURSDAY = 4, "четверг"
    FRIDAY = 5, "пятница"
    SATURDAY = 6, "суббота"


class TimetableEntry(models.Model):
    """One weekly lesson of the timetable, valid from/to (inclusive, open end when null)."""

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="timetable_entries"
    )
    weekday = models.PositiveSmallIntegerField("день недели", choices=Weekday.choices)
    number = models.PositiveSmallIntegerField("номер урока")
    group = models.ForeignKey(
        "school.StudyGroup",
        on_delete=models.PROTECT,
        related_name="timetable_entries",
        verbose_name="группа",
    )
    subject = models.ForeignKey(
        "school.Subject",
        on_delete=models.PROTECT,
        related_name="timetable_entries",
        verbose_name="предмет",
    )
    teacher = models.ForeignKey(
        "accounts.StaffMember",
        on_delete=models.PROTECT,
        related_name="timetable_entries",
        verbose_name="учитель",
    )
    room = models.CharField("кабинет", max_length=20, blank=True)
    valid_from = models.DateField("действует с")
    valid_to = models.DateField("действует по", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "урок расписания"
        verbose_name_plural = "расписание уроков"
        ordering = ["weekday", "number"]
        indexes = [
            models.Index(fields=["school", "weekday", "number"], name="tt_school_slot_idx"),
            models.Index(fields=["group", "weekday"], name="tt_group_idx"),
            models.Index(fields=["teacher", "weekday"], name="tt_teacher_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="tt_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=6), name="tt_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}, {self.number} урок: {self.group}, {self.subject}"


class LessonStatus(models.TextChoices):
    PLANNED = "planned", "запланирован"
    HELD = "held", "проведён"
    CANCELLED = "cancelled", "отменён"
    MOVED = "moved", "перенесён"


class Lesson(models.Model):
    """A real dated lesson. ``actual_teacher`` is null while the planned teacher teaches it;
    a substitution sets it to the substitute."""

    school = models.ForeignKey("school.School", on_delete=models.PROTECT, related_name="lessons")
    date = models.DateField("дата")
    number = models.PositiveSmallIntegerField("номер урока")
    start_time = models.TimeField("начало")
    end_time = models.TimeField("окончание")
    group = models.ForeignKey(
        "school.StudyGroup", on_delete=models.PROTECT, related_name="lessons", verbose_name="группа"
    )
    subject = models.ForeignKey(
        "school.Subject", on_delete=models.PROTECT, related_name="lessons", verbose_name="предмет"
    )
    planned_teacher = models.ForeignKey(
        "accounts.StaffMember",
        on_delete=models.PROTECT,
        related_name="planned_lessons",
        verbose_name="учитель по расписанию",
    )
    actual_teacher = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="substituted_lessons",
        verbose_name="фактический учитель",
    )
    room = models.CharField("кабинет", max_length=20, blank=True)
    status = models.CharField(
        "состояние", max_length=16, choices=LessonStatus.choices, default=LessonStatus.PLANNED
    )
    timetable_entry = models.ForeignKey(
        TimetableEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        verbose_name="урок расписания",
    )
    moved_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="перенесён с",
    )
    moved_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="перенесён на",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "урок"
        verbose_name_plural = "уроки"
        ordering = ["date", "number", "start_time"]
        indexes = [
            models.Index(fields=["group", "date"], name="lesson_group_date_idx"),
            models.Index(fields=["actual_teacher", "date"], name="lesson_actual_teacher_idx"),
            models.Index(fields=["planned_teacher", "date"], name="lesson_planned_teacher_idx"),
            models.Index(fields=["school", "date"], name="lesson_school_date_idx"),
        ]
        constraints = [
            # Materialisation is idempotent: one lesson per timetable entry and date.
            models.UniqueConstraint(
                fields=["timetable_entry", "date"],
                condition=Q(timetable_entry__isnull=False),
                name="lesson_unique_entry_date",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="lesson_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}, {self.number} урок: {self.group}, {self.subject}"

    @property
    def teacher(self):
        """Who teaches it: the substitute if any, else the planned teacher."""
        return self.actual_teacher or self.planned_teacher

    @property
    def teacher_id(self) -> int:
        return self.actual_teacher_id or self.planned_teacher_id

    @property
    def is_substituted(self) -> bool:
        return self.actual_teacher_id is not None and (
            self.actual_teacher_id != self.planned_teacher_id
        )


class ScheduleChangeKind(models.TextChoices):
    CANCEL = "cancel", "отмена урока"
    MOVE = "move", "перенос урока"
    EXTRA = "extra", "дополнительный урок"
    ROOM = "room", "замена кабинета"


class ScheduleChange(models.Model):
    """A dated change to the timetable, recorded with who made it and when.

    ``lesson`` is the lesson affected (for a move: the original one); ``new_lesson`` is the
    lesson that results from a move or an extra lesson.
    """

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="schedule_changes"
    )
    kind = models.CharField("вид", max_length=16, choices=ScheduleChangeKind.choices)
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="changes", verbose_name="урок"
    )
    new_lesson = models.ForeignKey(
        Lesson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="новый урок",
    )
    before = models.JSONField("было", null=True, blank=True)
    after = models.JSONField("стало", null=True, blank=True)
    reason = models.CharField("причина", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто внёс",
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "изменение расписания"
        verbose_name_plural = "изменения расписания"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "created_at"], name="change_school_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.lesson}"


class Substitution(models.Model):
    """Замена: a substitute teaches one lesson of an absent teacher."""

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="substitutions"
    )
    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, related_name="substitution", verbose_name="урок"
    )
    absent_teacher = models.ForeignKey(
        "accounts.StaffMember",
        on_delete=models.PROTECT,
        related_name="absences",
        verbose_name="отсутствующий учитель",
    )
    substitute = models.ForeignKey(
        "accounts.StaffMember",
        on_delete=models.PROTECT,
        related_name="substitutions",
        verbose_name="заменяющий учитель",
    )
    reason = models.CharField("причина", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто назначил",
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "замена"
        verbose_name_plural = "журнал замещения уроков"
        ordering = ["lesson__date", "lesson__number"]
        indexes = [models.Index(fields=["school", "created_at"], name="subst_school_idx")]

    def __str__(self) -> str:
        return f"{self.lesson}: ведёт {self.substitute} (по расписанию — {self.absent_teacher})"
