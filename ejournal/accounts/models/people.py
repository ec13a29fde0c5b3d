"""The people a school keeps: staff, students, guardians and how names are shown
(pseudonyms after the coding order). They belong to ``ejournal.people``; kept in the
accounts app so that no data migration is needed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ejournal.accounts.models.identity import User


class Sex(models.TextChoices):
    MALE = "m", "мужской"
    FEMALE = "f", "женский"


class PersonName(models.Model):
    last_name = models.CharField("фамилия", max_length=100)
    first_name = models.CharField("имя", max_length=100)
    patronymic = models.CharField("отчество", max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        # A code assigned by an order (001 §6.3) replaces the name everywhere it is shown;
        # the real name stays in the row for the school's archive only.
        if pseudonym := getattr(self, "pseudonym", ""):
            return pseudonym
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        if pseudonym := getattr(self, "pseudonym", ""):
            return pseudonym
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()

    @property
    def given_name(self) -> str:
        """The first name for friendly places (tabs, greetings), or the code."""
        return getattr(self, "pseudonym", "") or self.first_name

    @property
    def informal_name(self) -> str:
        """«Имя Фамилия» for headings, or the code."""
        if pseudonym := getattr(self, "pseudonym", ""):
            return pseudonym
        return f"{self.first_name} {self.last_name}".strip()


def shown_name_parts(prefix: str = "") -> dict:
    """The name shown, as three sortable expressions (the code, or surname, first name and
    patronymic); ``prefix`` is the path to the person (empty for the model itself). For a
    keyset page: ``qs.annotate(**shown_name_parts())`` and key on their names."""
    from django.db.models import Case, F, Value, When

    p = f"{prefix}__" if prefix else ""
    coded = Q(**{f"{p}pseudonym__gt": ""})
    return {
        "shown_last": Case(When(coded, then=F(f"{p}pseudonym")), default=F(f"{p}last_name")),
        **{
            f"shown_{part}": Case(When(coded, then=Value("")), default=F(f"{p}{part}"))
            for part in ("first_name", "patronymic")
        },
    }


def shown_name_ordering(prefix: str = "") -> list:
    """``order_by(*shown_name_ordering("student"))``: people by the name shown."""
    from django.db.models import F

    p = f"{prefix}__" if prefix else ""
    return [*(part.asc() for part in shown_name_parts(prefix).values()), F(f"{p}id").asc()]


def shown_name_key(person) -> tuple:
    """The same order in Python: ``sorted(students, key=shown_name_key)``."""
    if code := getattr(person, "pseudonym", ""):
        return (code, "", "", person.pk)
    return (person.last_name, person.first_name, person.patronymic, person.pk)


def shown_name_sql(alias: str) -> str:
    """The same order in raw SQL: ``ORDER BY {shown_name_sql("s")}``."""
    coded = f"{alias}.pseudonym <> ''"
    return (
        f"CASE WHEN {coded} THEN {alias}.pseudonym ELSE {alias}.last_name END, "
        f"CASE WHEN {coded} THEN '' ELSE {alias}.first_name END, "
        f"CASE WHEN {coded} THEN '' ELSE {alias}.patronymic END, {alias}.id"
    )


class StaffMember(PersonName):
    """An employee of one school. A teacher of two schools has two rows and one user."""

    school = models.ForeignKey("school.School", on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_profiles"
    )
    position = models.CharField("должность", max_length=150, blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)
    email = models.EmailField("e-mail", blank=True)
    is_active = models.BooleanField("работает", default=True)

    class Meta:
        verbose_name = "сотрудник"
        verbose_name_plural = "сотрудники"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="staff_one_per_school_user")
        ]


class Student(PersonName):
    school = models.ForeignKey("school.School", on_delete=models.PROTECT, related_name="students")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="student_profiles"
    )
    birth_date = models.DateField("дата рождения")
    sex = models.CharField("пол", max_length=1, choices=Sex.choices)
    pseudonym = models.CharField("кодовое имя", max_length=50, blank=True)
    pseudonym_order = models.ForeignKey(
        "accounts.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="приказ о кодовом имени",
    )

    class Meta:
        verbose_name = "ученик"
        verbose_name_plural = "ученики"
        ordering = shown_name_ordering()
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="student_one_per_school_user")
        ]


class Guardian(PersonName):
    """A parent or legal guardian as one school knows them (each school is a data operator)."""

    school = models.ForeignKey("school.School", on_delete=models.PROTECT, related_name="guardians")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="guardian_profiles"
    )
    phone = models.CharField("телефон", max_length=50, blank=True)
    email = models.EmailField("e-mail", blank=True)
    address = models.CharField("адрес", max_length=300, blank=True)
    workplace = models.CharField("место работы", max_length=300, blank=True)
    pseudonym = models.CharField("кодовое имя", max_length=50, blank=True)
    checked_on = models.DateField("данные проверены", null=True, blank=True)
    students = models.ManyToManyField(Student, through="StudentGuardian", related_name="guardians")

    class Meta:
        verbose_name = "родитель (законный представитель)"
        verbose_name_plural = "родители (законные представители)"
        ordering = shown_name_ordering()
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="guardian_one_per_school_user")
        ]


class Relation(models.TextChoices):
    MOTHER = "mother", "мать"
    FATHER = "father", "отец"
    GUARDIAN = "guardian", "опекун"
    OTHER = "other", "иной законный представитель"


class StudentGuardian(models.Model):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="student_links")
    relation = models.CharField("кем приходится", max_length=16, choices=Relation.choices)

    class Meta:
        verbose_name = "связь ученик — родитель"
        verbose_name_plural = "связи ученик — родитель"
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="student_guardian_unique")
        ]

    def __str__(self) -> str:
        return f"{self.guardian} — {self.get_relation_display()} {self.student}"
