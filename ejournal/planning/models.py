"""Calendar-thematic plans (КТП): the ordered topics of a subject for a group or a grade.

A plan belongs to one academic year and one subject, and either to one study group or to a
whole grade (параллель). A grade plan is shared by every group of that grade that has no
plan of its own for the subject. Items are numbered 1..n in order; an item of ``hours``
hours is covered by that many documented lessons.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ejournal.school.models import GRADE_VALIDATORS


class PlanItemKind(models.TextChoices):
    LESSON = "lesson", "урок"
    CONTROL = "control", "контрольная работа"
    PRACTICAL = "practical", "практическая работа"
    LABORATORY = "laboratory", "лабораторная работа"
    EXCURSION = "excursion", "экскурсия"
    PROJECT = "project", "проект"
    REVISION = "revision", "повторение"
    DICTATION = "dictation", "диктант"
    ESSAY = "essay", "сочинение / изложение"
    TEST = "test", "зачёт"


# Topics of these works are mandatory (000 §4.4, 004 §4.4.5).
TOPIC_REQUIRED_KINDS = frozenset(
    {PlanItemKind.CONTROL, PlanItemKind.PRACTICAL, PlanItemKind.LABORATORY}
)


class ThematicPlan(models.Model):
    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="thematic_plans"
    )
    year = models.ForeignKey(
        "school.AcademicYear",
        on_delete=models.PROTECT,
        related_name="thematic_plans",
        verbose_name="учебный год",
    )
    subject = models.ForeignKey(
        "school.Subject",
        on_delete=models.PROTECT,
        related_name="thematic_plans",
        verbose_name="предмет",
    )
    group = models.ForeignKey(
        "school.StudyGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thematic_plans",
        verbose_name="группа",
    )
    grade = models.PositiveSmallIntegerField(
        "параллель", null=True, blank=True, validators=GRADE_VALIDATORS
    )
    owner = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thematic_plans",
        verbose_name="учитель",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "календарно-тематический план"
        verbose_name_plural = "календарно-тематические планы"
        ordering = ["year", "subject__name", "grade", "group__name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(group__isnull=False, grade__isnull=True)
                    | Q(group__isnull=True, grade__isnull=False)
                ),
                name="plan_group_xor_grade",
            ),
            models.UniqueConstraint(
                fields=["year", "subject", "group"],
                condition=Q(group__isnull=False),
                name="plan_unique_group",
            ),
            models.UniqueConstraint(
                fields=["year", "subject", "grade"],
                condition=Q(grade__isnull=False),
                name="plan_unique_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"КТП: {self.subject}, {self.target_label}, {self.year}"

    @property
    def target_label(self) -> str:
        if self.group_id:
            return str(self.group)
        return f"{self.grade} классы (параллель)"

    @property
    def is_grade_plan(self) -> bool:
        return self.group_id is None


class PlanItem(models.Model):
    plan = models.ForeignKey(ThematicPlan, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField("№")
    section = models.CharField("раздел", max_length=300, blank=True)
    topic = models.CharField("тема", max_length=500, blank=True)
    hours = models.PositiveSmallIntegerField("часы", default=1)
    kind = models.CharField(
        "вид", max_length=16, choices=PlanItemKind.choices, default=PlanItemKind.LESSON
    )
    planned_date = models.DateField("дата по плану", null=True, blank=True)

    class Meta:
        verbose_name = "тема КТП"
        verbose_name_plural = "темы КТП"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_item_unique_number"),
            models.CheckConstraint(condition=Q(hours__gte=1), name="plan_item_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.topic or '(без темы)'}"

    @property
    def needs_topic(self) -> bool:
        return self.kind in TOPIC_REQUIRED_KINDS
