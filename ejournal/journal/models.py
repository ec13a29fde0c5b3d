"""What a teacher records about a lesson: topic, works and their marks, attendance, homework.

Every row here is written only by ``journal.services``, which enforces the school's
windows (no back-dating), permissions, optimistic concurrency and the audit trail.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q


class JournalSettings(models.Model):
    """The school's windows for entering data (defaults from the regulations)."""

    school = models.OneToOneField(
        "school.School", on_delete=models.CASCADE, related_name="journal_settings"
    )
    attendance_window_days = models.PositiveSmallIntegerField(
        "посещаемость: дней после урока", default=0, help_text="0 — только в день урока"
    )
    marks_window_days_primary = models.PositiveSmallIntegerField(
        "отметки 1–4 классов: дней", default=3
    )
    marks_window_days_basic = models.PositiveSmallIntegerField(
        "отметки 5–11 классов: дней", default=7
    )
    homework_window_minutes = models.PositiveSmallIntegerField(
        "домашнее задание: минут после урока", default=90
    )

    class Meta:
        verbose_name = "настройки журнала"
        verbose_name_plural = "настройки журнала"

    def __str__(self) -> str:
        return f"Настройки журнала: {self.school}"


class WorkCategory(models.TextChoices):
    """How a work type counts for windows and attestation."""

    ORAL = "oral", "устная"
    WRITTEN = "written", "письменная"
    CONTROL = "control", "контрольная / проверочная"
    ESSAY = "essay", "сочинение / изложение"
    PRACTICAL = "practical", "лабораторная / практическая"
    HOMEWORK = "homework", "домашняя"


class WorkType(models.Model):
    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="work_types")
    name = models.CharField("название", max_length=100)
    short_name = models.CharField("сокращение", max_length=12)
    category = models.CharField("вид", max_length=16, choices=WorkCategory.choices)
    weight = models.DecimalField("вес", max_digits=3, decimal_places=1, default=Decimal("1"))
    # None: the ordinary window for the class's grade (3 / 7 days).
    mark_window_days = models.PositiveSmallIntegerField(
        "срок выставления отметок, дней", null=True, blank=True
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("используется", default=True)

    class Meta:
        verbose_name = "вид работы"
        verbose_name_plural = "виды работ"
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="work_type_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="work_type_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def counts_as_written(self) -> bool:
        """Written, laboratory and practical works are required for attestation (000 §6.2)."""
        return self.category in (
            WorkCategory.WRITTEN,
            WorkCategory.CONTROL,
            WorkCategory.ESSAY,
            WorkCategory.PRACTICAL,
        )


class LessonRecord(models.Model):
    """The documentation of one lesson: its topic and the teacher's comment."""

    lesson = models.OneToOneField(
        "schedule.Lesson", on_delete=models.CASCADE, related_name="record"
    )
    topic = models.CharField("тема урока", max_length=500, blank=True)
    comment = models.TextField("комментарий к уроку", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "запись об уроке"
        verbose_name_plural = "записи об уроках"

    def __str__(self) -> str:
        return self.topic or "(без темы)"


class Work(models.Model):
    """A work (задание) of a lesson; every mark belongs to one."""

    lesson = models.ForeignKey("schedule.Lesson", on_delete=models.CASCADE, related_name="works")
    work_type = models.ForeignKey(WorkType, on_delete=models.PROTECT, related_name="works")
    title = models.CharField("описание", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "работа"
        verbose_name_plural = "работы"
        ordering = ["lesson", "position", "id"]

    def __str__(self) -> str:
        return self.title or str(self.work_type)


class MarkValue(models.TextChoices):
    ONE = "1", "1"
    TWO = "2", "2"
    THREE = "3", "3"
    FOUR = "4", "4"
    FIVE = "5", "5"
    NOT_ATTESTED = "na", "н/а"
    EXEMPT = "osv", "осв"
    PASS = "zach", "зач"
    FAIL = "nezach", "незач"
    DEBT = "dot", "•"


NUMERIC_MARKS = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}


class Mark(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey("accounts.Student", on_delete=models.PROTECT, related_name="marks")
    value = models.CharField("отметка", max_length=8, choices=MarkValue.choices)
    # 1–5 for numeric marks, null for special marks and the debt dot (kept for fast averages).
    numeric = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.CharField("комментарий", max_length=500, blank=True)
    # Placed on a lesson the student missed (a make-up work); the absence stays recorded.
    is_makeup = models.BooleanField("отработка пропуска", default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "отметка"
        verbose_name_plural = "отметки"
        indexes = [models.Index(fields=["student", "work"], name="mark_student_idx")]
        constraints = [
            models.UniqueConstraint(fields=["work", "student"], name="mark_one_per_work_student"),
            models.CheckConstraint(
                condition=Q(numeric__isnull=True) | Q(numeric__gte=1, numeric__lte=5),
                name="mark_numeric_range",
            ),
        ]

    def __str__(self) -> str:
        return self.get_value_display()


class AttendanceCode(models.TextChoices):
    ABSENT = "n", "Н"
    ILL = "b", "Б"
    EXCUSED = "up", "УП"
    LATE = "op", "ОП"


class Attendance(models.Model):
    """An absence or lateness; presence is the absence of a row."""

    lesson = models.ForeignKey(
        "schedule.Lesson", on_delete=models.CASCADE, related_name="attendance"
    )
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="attendance"
    )
    code = models.CharField("отметка", max_length=4, choices=AttendanceCode.choices)
    late_minutes = models.PositiveSmallIntegerField("опоздание, минут", null=True, blank=True)
    note = models.CharField("примечание", max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "посещаемость"
        verbose_name_plural = "посещаемость"
        indexes = [models.Index(fields=["student", "lesson"], name="attendance_student_idx")]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="attendance_one_per_lesson"),
            models.CheckConstraint(
                condition=Q(code="op", late_minutes__gt=0)
                | (~Q(code="op") & Q(late_minutes__isnull=True)),
                name="attendance_late_minutes_only_when_late",
            ),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class Homework(models.Model):
    lesson = models.ForeignKey("schedule.Lesson", on_delete=models.CASCADE, related_name="homework")
    text = models.TextField("задание")
    due_date = models.DateField("к дате", null=True, blank=True)
    # Empty for the whole group; named students for an individual task.
    students = models.ManyToManyField(
        "accounts.Student", blank=True, related_name="individual_homework"
    )
    is_individual = models.BooleanField("индивидуальное", default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "домашнее задание"
        verbose_name_plural = "домашние задания"
        ordering = ["lesson", "id"]
        indexes = [models.Index(fields=["due_date"], name="homework_due_idx")]

    def __str__(self) -> str:
        return self.text[:60]


def homework_upload_to(instance: HomeworkAttachment, filename: str) -> str:
    return f"homework/{instance.homework.lesson.school_id}/{instance.homework_id}/{filename}"


class HomeworkAttachment(models.Model):
    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=homework_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"

    def __str__(self) -> str:
        return self.original_name


class CorrectionKind(models.TextChoices):
    MARK = "mark", "отметка"
    ATTENDANCE = "attendance", "посещаемость"
    TOPIC = "topic", "тема урока"
    HOMEWORK = "homework", "домашнее задание"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "на рассмотрении"
    APPROVED = "approved", "одобрен"
    REJECTED = "rejected", "отклонён"


class Correction(models.Model):
    """What every correction request shares, whatever it corrects: the teacher asks with a
    reason, the deputy approves or rejects it once (``journal.corrections.correction_decide``).

    Abstract: each kind keeps its own table (journal records here, period marks in
    ``attestation``) and names its audit actions («<audit_prefix>.approved») and the page
    that lists it (where the requester's notification points).
    """

    audit_prefix: ClassVar[str]
    list_url_name: ClassVar[str]
    # Each kind has its own ``school`` foreign key (with its own reverse name).
    school_id: int

    reason = models.TextField("причина исправления")
    status = models.CharField(
        max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField("комментарий решения", blank=True)

    class Meta:
        abstract = True


class CorrectionRequest(Correction):
    """A change to the journal outside its window (a mark, attendance, topic, homework)."""

    audit_prefix = "correction"
    list_url_name = "journal:corrections"

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="correction_requests"
    )
    lesson = models.ForeignKey(
        "schedule.Lesson", on_delete=models.CASCADE, related_name="correction_requests"
    )
    kind = models.CharField("что исправить", max_length=16, choices=CorrectionKind.choices)
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    student = models.ForeignKey(
        "accounts.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The value as the teacher saw it, and the value they ask for (service-level shapes).
    old_value = models.JSONField("было", null=True, blank=True)
    new_value = models.JSONField("стало")

    class Meta:
        verbose_name = "запрос на исправление"
        verbose_name_plural = "запросы на исправление"
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["school", "status"], name="correction_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class AttestationSettings(models.Model):
    """Per-school attestation rules (defaults from the regulations, 000 §6)."""

    school = models.OneToOneField(
        "school.School", on_delete=models.CASCADE, related_name="attestation_settings"
    )
    # The rounding policy: an average at or above the threshold earns the mark.
    threshold_5 = models.DecimalField(
        "«5» от среднего балла", max_digits=3, decimal_places=2, default=Decimal("4.50")
    )
    threshold_4 = models.DecimalField(
        "«4» от среднего балла", max_digits=3, decimal_places=2, default=Decimal("3.50")
    )
    threshold_3 = models.DecimalField(
        "«3» от среднего балла", max_digits=3, decimal_places=2, default=Decimal("2.50")
    )
    min_marks_1h = models.PositiveSmallIntegerField("минимум отметок при 1 ч в неделю", default=3)
    min_marks_2h = models.PositiveSmallIntegerField("минимум отметок при 2 ч в неделю", default=5)
    min_marks_3h = models.PositiveSmallIntegerField("минимум отметок при 3 ч и более", default=7)
    entry_window_days = models.PositiveSmallIntegerField(
        "отметки за период: последних дней периода", default=7
    )
    closing_grace_days = models.PositiveSmallIntegerField(
        "дней после окончания периода до закрытия", default=5
    )
    require_written_work = models.BooleanField(
        "нужна письменная / практическая работа",
        default=True,
        help_text="если в периоде были письменные, лабораторные или практические работы",
    )

    class Meta:
        # Defined here because the journal's grid rounds averages with these thresholds;
        # the rows belong to attestation (its label, its table, its migrations).
        app_label = "attestation"
        verbose_name = "настройки аттестации"
        verbose_name_plural = "настройки аттестации"
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_5__gt=models.F("threshold_4"))
                & Q(threshold_4__gt=models.F("threshold_3"))
                & Q(threshold_3__gt=2)
                & Q(threshold_5__lte=5),
                name="attestation_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"Настройки аттестации: {self.school}"
