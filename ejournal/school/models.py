"""School structure: where, when, who is in which class and group, and who teaches what."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

GRADE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(11)]


class Region(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField("код", max_length=10, blank=True)

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    name = models.CharField("название", max_length=200)

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name="муниципалитет"
    )
    name = models.CharField("полное название", max_length=300)
    short_name = models.CharField("краткое название", max_length=100, unique=True)
    address = models.CharField("адрес", max_length=300, blank=True)
    phone = models.CharField("телефон", max_length=100, blank=True)
    email = models.EmailField("e-mail", blank=True)
    website = models.CharField("сайт", max_length=200, blank=True)
    director_name = models.CharField("директор", max_length=200, blank=True)
    time_zone = models.CharField("часовой пояс", max_length=64, default="Europe/Moscow")
    # Administrators, directors and deputies always sign in with a code; this makes it
    # mandatory for the school's teachers too (ejournal.accounts.two_factor).
    teachers_two_factor_required = models.BooleanField(
        "вход учителей с одноразовым кодом обязателен", default=False
    )

    class Meta:
        verbose_name = "школа"
        verbose_name_plural = "школы"

    def __str__(self) -> str:
        return self.short_name


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="years")
    name = models.CharField("учебный год", max_length=20)
    start = models.DateField("начало")
    end = models.DateField("окончание")

    class Meta:
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="year_unique_name"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="year_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", "четверть"
    HALF_YEAR = "half_year", "полугодие"
    TRIMESTER = "trimester", "триместр"
    MODULE = "module", "модуль"


class GradeBand(models.Model):
    """Grades that share study periods and week length, e.g. 1–9 (quarters) and 10–11."""

    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField("название", max_length=50)
    grade_from = models.PositiveSmallIntegerField("с класса", validators=GRADE_VALIDATORS)
    grade_to = models.PositiveSmallIntegerField("по класс", validators=GRADE_VALIDATORS)
    period_kind = models.CharField(
        "вид периодов", max_length=16, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    days_per_week = models.PositiveSmallIntegerField(
        "учебных дней в неделю", choices=[(5, "5 дней"), (6, "6 дней")], default=5
    )

    class Meta:
        verbose_name = "ступень"
        verbose_name_plural = "ступени"
        ordering = ["year", "grade_from"]

    def __str__(self) -> str:
        return f"{self.grade_from}–{self.grade_to} классы"

    def covers(self, grade: int) -> bool:
        return self.grade_from <= grade <= self.grade_to


class StudyPeriod(models.Model):
    band = models.ForeignKey(GradeBand, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField("номер")
    name = models.CharField("название", max_length=50)
    start = models.DateField("начало")
    end = models.DateField("окончание")

    class Meta:
        verbose_name = "учебный период"
        verbose_name_plural = "учебные периоды"
        ordering = ["band", "start"]
        constraints = [
            models.UniqueConstraint(fields=["band", "number"], name="period_unique_number"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DayOffKind(models.TextChoices):
    HOLIDAY = "holiday", "каникулы"
    NON_WORKING = "non_working", "нерабочий день"


class DayOff(models.Model):
    """Holidays (каникулы) and non-working days; for all grades or a band of grades."""

    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="days_off")
    kind = models.CharField("вид", max_length=16, choices=DayOffKind.choices)
    name = models.CharField("название", max_length=100)
    start = models.DateField("с")
    end = models.DateField("по")
    grade_from = models.PositiveSmallIntegerField(
        "с класса", default=1, validators=GRADE_VALIDATORS
    )
    grade_to = models.PositiveSmallIntegerField("по класс", default=11, validators=GRADE_VALIDATORS)

    class Meta:
        verbose_name = "каникулы / нерабочий день"
        verbose_name_plural = "каникулы и нерабочие дни"
        ordering = ["year", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="dayoff_end_not_before_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="subjects")
    name = models.CharField("название", max_length=150)
    short_name = models.CharField("сокращение", max_length=30, blank=True)
    is_no_mark = models.BooleanField(
        "безотметочный", default=False, help_text="по предмету отметки не ставятся"
    )
    is_physical_education = models.BooleanField("физическая культура", default=False)

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="subject_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="classes")
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="classes")
    grade = models.PositiveSmallIntegerField("параллель", validators=GRADE_VALIDATORS)
    letter = models.CharField("литера", max_length=5)
    homeroom_teacher = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homeroom_classes",
        verbose_name="классный руководитель",
    )
    room = models.CharField("кабинет", max_length=20, blank=True)
    shift = models.PositiveSmallIntegerField("смена", default=1, choices=[(1, "1"), (2, "2")])

    class Meta:
        verbose_name = "класс"
        verbose_name_plural = "классы"
        ordering = ["grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "letter"], name="class_unique_name"),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=11), name="class_grade_1_11"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def name(self) -> str:
        return str(self)


class ClassEnrollment(models.Model):
    """A student is in a class from ``date_from`` to ``date_to`` inclusive (open when null)."""

    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="enrollments"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrollments"
    )
    date_from = models.DateField("с")
    date_to = models.DateField("по", null=True, blank=True)

    class Meta:
        verbose_name = "зачисление в класс"
        verbose_name_plural = "зачисления в классы"
        ordering = ["date_from"]
        indexes = [models.Index(fields=["school_class", "date_from"], name="enrollment_class_idx")]
        # A student is in one class at a time. These two constraints catch the common
        # doubles on every database; migration 0004 adds a trigger (SQLite and
        # PostgreSQL) that refuses any overlap of two spans of one student.
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="enrollment_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(date_to__isnull=True),
                name="enrollment_one_open_per_student",
            ),
            models.UniqueConstraint(
                fields=["student", "date_from"], name="enrollment_one_start_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} в {self.school_class} с {self.date_from}"


class GroupKind(models.TextChoices):
    WHOLE_CLASS = "class", "весь класс"
    SUBGROUP = "subgroup", "подгруппа"
    STREAM = "stream", "поток / факультатив"
    INDIVIDUAL = "individual", "индивидуальная"


class StudyGroup(models.Model):
    """Who is taught together. Whole-class groups take their members from class enrollment;
    other kinds keep dated ``GroupMembership`` rows."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="groups")
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField("название", max_length=150)
    kind = models.CharField("вид", max_length=16, choices=GroupKind.choices)
    school_class = models.ForeignKey(
        SchoolClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name="класс",
    )

    class Meta:
        verbose_name = "учебная группа"
        verbose_name_plural = "учебные группы"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="group_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["stream", "individual"]) | Q(school_class__isnull=False),
                name="group_class_required",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.PROTECT, related_name="group_memberships"
    )
    date_from = models.DateField("с")
    date_to = models.DateField("по", null=True, blank=True)

    class Meta:
        verbose_name = "членство в группе"
        verbose_name_plural = "членство в группах"
        indexes = [models.Index(fields=["group", "date_from"], name="membership_group_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="membership_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} в {self.group}"


class CurriculumEntry(models.Model):
    """Weekly hours of a subject for a grade; a class or a student may override it."""

    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="curriculum")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="curriculum")
    grade = models.PositiveSmallIntegerField("параллель", validators=GRADE_VALIDATORS)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="curriculum"
    )
    student = models.ForeignKey(
        "accounts.Student",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="individual_curriculum",
    )
    hours_per_week = models.DecimalField("часов в неделю", max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = "строка учебного плана"
        verbose_name_plural = "учебный план"
        ordering = ["grade", "subject__name"]
        constraints = [
            # One line per level (grade, class override, individual plan); partial
            # constraints because SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["year", "subject", "grade"],
                condition=Q(school_class__isnull=True, student__isnull=True),
                name="curriculum_unique_grade",
            ),
            models.UniqueConstraint(
                fields=["year", "subject", "school_class"],
                condition=Q(school_class__isnull=False, student__isnull=True),
                name="curriculum_unique_class",
            ),
            models.UniqueConstraint(
                fields=["year", "subject", "student"],
                condition=Q(student__isnull=False),
                name="curriculum_unique_student",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0), name="curriculum_hours_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.grade} кл.: {self.hours_per_week} ч"


class TeachingLoad(models.Model):
    """Тарификация: who teaches a subject to a group and for how many hours a week."""

    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="loads")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="loads")
    teacher = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="loads"
    )
    hours_per_week = models.DecimalField("часов в неделю", max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = "нагрузка"
        verbose_name_plural = "тарификация"
        constraints = [
            models.UniqueConstraint(fields=["group", "subject", "teacher"], name="load_unique"),
            models.CheckConstraint(condition=Q(hours_per_week__gt=0), name="load_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher}: {self.subject}, {self.group}"
