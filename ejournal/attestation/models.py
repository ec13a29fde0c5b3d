"""Attestation: the school's rules, period / year marks, period closing and the
pedagogical council's decisions.

Rows here are written only by ``attestation.services``; averages are never stored, they
are computed live from the journal (``averages``, ``selectors``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# The school's rounding thresholds are read by the journal's grid, so the model is
# defined there (still under this app's label and table; no migration).
from ejournal.journal.models import (
    AttestationSettings,  # noqa: F401 - its home for imports
    Correction,
)


class PeriodMarkKind(models.TextChoices):
    PERIOD = "period", "за период"
    YEAR = "year", "годовая"
    EXAM = "exam", "экзаменационная"
    FINAL = "final", "итоговая"


class PeriodMarkValue(models.TextChoices):
    TWO = "2", "2"
    THREE = "3", "3"
    FOUR = "4", "4"
    FIVE = "5", "5"
    NOT_ATTESTED = "na", "н/а"
    EXEMPT = "osv", "осв"
    PASS = "zach", "зач"
    FAIL = "nezach", "незач"
    NO_MARK = "bezotm", "безотм"


PERIOD_NUMERIC = {"2": 2, "3": 3, "4": 4, "5": 5}


class PeriodMark(models.Model):
    """A student's mark in a subject for a study period, or for the year / exam / final."""

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="period_marks"
    )
    year = models.ForeignKey(
        "school.AcademicYear", on_delete=models.PROTECT, related_name="period_marks"
    )
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="period_marks"
    )
    subject = models.ForeignKey(
        "school.Subject", on_delete=models.PROTECT, related_name="period_marks"
    )
    kind = models.CharField("вид", max_length=8, choices=PeriodMarkKind.choices)
    # Set for kind «period», empty for the year / exam / final marks.
    period = models.ForeignKey(
        "school.StudyPeriod",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="period_marks",
    )
    value = models.CharField("отметка", max_length=8, choices=PeriodMarkValue.choices)
    comment = models.TextField("комментарий (обоснование)", blank=True)
    # What the page suggested when the mark was entered, and whether the mark departs
    # from it by more than one step (listed for the deputy: objectivity control).
    suggested = models.CharField("рекомендовано", max_length=8, blank=True)
    needs_review = models.BooleanField("отклоняется от рекомендованной", default=False)
    version = models.PositiveIntegerField(default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "отметка за период"
        verbose_name_plural = "отметки за период"
        indexes = [
            models.Index(fields=["school", "needs_review"], name="period_mark_review_idx"),
            models.Index(fields=["student", "year"], name="period_mark_student_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "period"],
                condition=Q(period__isnull=False),
                name="period_mark_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["student", "subject", "year", "kind"],
                condition=~Q(kind="period"),
                name="period_mark_one_per_year_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="period") & Q(period__isnull=False))
                | (~Q(kind="period") & Q(period__isnull=True)),
                name="period_mark_period_iff_kind_period",
            ),
        ]

    def __str__(self) -> str:
        return self.get_value_display()

    @property
    def numeric(self) -> int | None:
        return PERIOD_NUMERIC.get(self.value)


class PeriodClosure(models.Model):
    """The state of a study period's closing. Closed: ordinary journal edits and period
    marks of its dates lock; changes go through correction requests."""

    period = models.OneToOneField(
        "school.StudyPeriod", on_delete=models.CASCADE, related_name="closure"
    )
    is_closed = models.BooleanField("закрыт", default=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("закрыт")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField("открыт повторно", null=True, blank=True)
    reason = models.TextField("причина повторного открытия", blank=True)

    class Meta:
        verbose_name = "закрытие периода"
        verbose_name_plural = "закрытие периодов"

    def __str__(self) -> str:
        return f"{self.period}: {'закрыт' if self.is_closed else 'открыт'}"


class CouncilDecisionKind(models.TextChoices):
    TRANSFERRED = "transferred", "переведён в следующий класс"
    CONDITIONAL = "conditional", "условно переведён"
    REPEAT = "repeat", "оставлен на повторное обучение"
    GRADUATED = "graduated", "окончил обучение"
    OTHER = "other", "иное"


class CouncilDecision(models.Model):
    """«Решение педагогического совета (дата, номер)» for a student at the end of a year."""

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="council_decisions"
    )
    year = models.ForeignKey(
        "school.AcademicYear", on_delete=models.PROTECT, related_name="council_decisions"
    )
    school_class = models.ForeignKey(
        "school.SchoolClass", on_delete=models.PROTECT, related_name="council_decisions"
    )
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="council_decisions"
    )
    kind = models.CharField("решение", max_length=16, choices=CouncilDecisionKind.choices)
    text = models.CharField("формулировка", max_length=300)
    date = models.DateField("дата протокола")
    protocol_number = models.CharField("номер протокола", max_length=20)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "решение педагогического совета"
        verbose_name_plural = "решения педагогического совета"
        constraints = [
            models.UniqueConstraint(fields=["student", "year"], name="council_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.text} (протокол № {self.protocol_number} от {self.date:%d.%m.%Y})"


class PeriodMarkCorrection(Correction):
    """A change to a period mark after its window or the period's closing: the teacher
    asks with a reason, the deputy approves (applied then, audited) or rejects."""

    audit_prefix = "period_mark_correction"
    list_url_name = "attestation:corrections"

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="period_mark_corrections"
    )
    group = models.ForeignKey("school.StudyGroup", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("school.Subject", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("accounts.Student", on_delete=models.PROTECT, related_name="+")
    # The target as in URLs: «p<period id>», «year», «exam» or «final».
    target_slug = models.CharField(max_length=16)
    target_label = models.CharField("период", max_length=100)
    old_value = models.JSONField("было", null=True, blank=True)
    new_value = models.CharField("новая отметка", max_length=8)
    new_comment = models.TextField("обоснование отметки", blank=True)

    class Meta:
        verbose_name = "запрос на исправление отметки за период"
        verbose_name_plural = "запросы на исправление отметок за период"
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["school", "status"], name="pm_correction_status_idx")]

    def __str__(self) -> str:
        return f"{self.target_label}: {self.new_value} ({self.get_status_display()})"
