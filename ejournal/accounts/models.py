"""Accounts, roles held per school, and the person profiles a school keeps."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac


class User(AbstractUser):
    patronymic = models.CharField("отчество", max_length=150, blank=True)
    must_change_password = models.BooleanField("сменить пароль при входе", default=False)
    # Bumped to end every session of the user at once ("выйти на всех устройствах").
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def get_full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def get_session_auth_hash(self) -> str:
        # Django checks this hash on every request; folding the epoch in ends all
        # sessions when it changes, exactly as a password change does.
        return salted_hmac(
            "ejournal.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "администратор"
    DIRECTOR = "director", "директор"
    DEPUTY = "deputy", "заместитель директора"
    TEACHER = "teacher", "учитель"
    OPERATOR = "operator", "оператор контингента"
    HR = "hr", "специалист по кадрам"
    STUDENT = "student", "ученик"
    PARENT = "parent", "родитель"
    INSPECTOR = "inspector", "муниципальный инспектор"
    # Above the schools: the only one who blocks, unblocks and reissues an account that
    # is active in several schools of the municipality (no school may take it over).
    SUPPORT = "support", "служба технической поддержки"


STAFF_ROLES = frozenset(
    {Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER, Role.OPERATOR, Role.HR}
)
FAMILY_ROLES = frozenset({Role.STUDENT, Role.PARENT})
# Roles held in a municipality rather than in a school.
MUNICIPAL_ROLES = frozenset({Role.INSPECTOR, Role.SUPPORT})
# The homeroom teacher role is not assigned: it follows from SchoolClass.homeroom_teacher.
HOMEROOM = "homeroom"


class RoleAssignment(models.Model):
    """A role a user holds in one school (or, for ``MUNICIPAL_ROLES``, in a municipality)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("роль", max_length=16, choices=Role.choices)
    school = models.ForeignKey(
        "school.School",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    municipality = models.ForeignKey(
        "school.Municipality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "роль"
        verbose_name_plural = "роли"
        constraints = [
            # Partial constraints instead of NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False),
                name="role_unique_in_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=Q(municipality__isnull=False),
                name="role_unique_in_municipality",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["inspector", "support"],
                        municipality__isnull=False,
                        school__isnull=True,
                    )
                    | (
                        ~Q(role__in=["inspector", "support"])
                        & Q(school__isnull=False, municipality__isnull=True)
                    )
                ),
                name="role_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


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


# --- Ordering by the name shown -----------------------------------------------------------
# A pupil (or guardian) known by a code must take the code's place in every list: sorted
# by the real surname, the code's position among «Иванов», «Яковлев» gives the surname
# away (001 §6.3). Every list of people sorts with one of these three, which agree.


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


class OrderKind(models.TextChoices):
    ENROLLMENT = "enrollment", "о зачислении"
    TRANSFER = "transfer", "о переводе"
    LEAVING = "leaving", "об отчислении (выбытии)"
    PSEUDONYM = "pseudonym", "о присвоении кодового имени"


class Order(models.Model):
    """A school order (приказ) that a change of a student's record rests on."""

    school = models.ForeignKey("school.School", on_delete=models.PROTECT, related_name="orders")
    number = models.CharField("номер", max_length=50)
    date = models.DateField("дата")
    kind = models.CharField("вид", max_length=16, choices=OrderKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "приказ"
        verbose_name_plural = "приказы"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"приказ № {self.number} от {self.date:%d.%m.%Y}"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "дано"
    REFUSED = "refused", "не дано (отказ)"
    REVOKED = "revoked", "отозвано"


class Consent(models.Model):
    """A guardian's consent to processing their and their child's personal data."""

    guardian = models.OneToOneField(Guardian, on_delete=models.CASCADE, related_name="consent")
    status = models.CharField("согласие", max_length=16, choices=ConsentStatus.choices)
    date = models.DateField("дата")
    document = models.CharField("реквизиты документа", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "согласие на обработку персональных данных"
        verbose_name_plural = "согласия на обработку персональных данных"

    def __str__(self) -> str:
        return f"{self.guardian}: {self.get_status_display()}"


class CompromiseReport(models.Model):
    """A report that access to an account became known to others (appendix 1, §3.15–3.16)."""

    school = models.ForeignKey(
        "school.School", on_delete=models.PROTECT, related_name="compromise_reports"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="compromise_reports")
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField("доступ нарушен с")
    note = models.TextField("обстоятельства", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "акт о нарушении конфиденциальности"
        verbose_name_plural = "акты о нарушении конфиденциальности"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Акт № {self.pk} от {self.created_at:%d.%m.%Y}"


class MovementKind(models.TextChoices):
    ENROLLMENT = "enrollment", "зачисление"
    TRANSFER = "transfer", "перевод"
    LEAVING = "leaving", "выбытие"


class StudentMovement(models.Model):
    """One step of a student's history in the school, resting on an order."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField("вид", max_length=16, choices=MovementKind.choices)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="movements")
    effective_date = models.DateField("с даты")
    from_class = models.ForeignKey(
        "school.SchoolClass", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_class = models.ForeignKey(
        "school.SchoolClass", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The alphabet book's «прибыл из» / «выбыл в»: another school, a town, a country.
    from_place = models.CharField("прибыл из", max_length=300, blank=True)
    to_place = models.CharField("выбыл в", max_length=300, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "движение ученика"
        verbose_name_plural = "движение учеников"
        ordering = ["effective_date", "id"]


class HealthGroup(models.TextChoices):
    FIRST = "1", "I"
    SECOND = "2", "II"
    THIRD = "3", "III"
    FOURTH = "4", "IV"
    FIFTH = "5", "V"


class PEGroup(models.TextChoices):
    MAIN = "main", "основная"
    PREPARATORY = "preparatory", "подготовительная"
    SPECIAL = "special", "специальная"
    EXEMPT = "exempt", "освобождён"


class HealthSheet(models.Model):
    """«Лист здоровья»: special-category personal data, every view is audited."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="health")
    health_group = models.CharField("группа здоровья", max_length=1, choices=HealthGroup.choices)
    pe_group = models.CharField("группа по физкультуре", max_length=16, choices=PEGroup.choices)
    notes = models.TextField("рекомендации медицинского работника", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "лист здоровья"
        verbose_name_plural = "листы здоровья"


class ActivityKind(models.TextChoices):
    CLUB = "club", "кружок"
    SECTION = "section", "спортивная секция"
    ELECTIVE = "elective", "факультатив"
    OTHER = "other", "другое"


class Activity(models.Model):
    """Extracurricular occupation of a student, recorded by the homeroom teacher."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField("название", max_length=200)
    kind = models.CharField("вид", max_length=16, choices=ActivityKind.choices)
    place = models.CharField("где занимается", max_length=200, blank=True)
    hours_per_week = models.DecimalField("часов в неделю", max_digits=4, decimal_places=1)
    date_from = models.DateField("с")
    date_to = models.DateField("по", null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "внеурочная занятость"
        verbose_name_plural = "внеурочная занятость"
        ordering = ["-date_from", "name"]


class QualificationCategory(models.TextChoices):
    NONE = "none", "без категории"
    CONFORMITY = "conformity", "соответствие занимаемой должности"
    FIRST = "first", "первая"
    HIGHEST = "highest", "высшая"


class StaffRecord(models.Model):
    """HR card of an employee («Персонал»), kept by the HR specialist."""

    staff = models.OneToOneField(StaffMember, on_delete=models.CASCADE, related_name="hr_record")
    education = models.CharField("образование", max_length=300, blank=True)
    qualification = models.CharField(
        "квалификационная категория",
        max_length=16,
        choices=QualificationCategory.choices,
        default=QualificationCategory.NONE,
    )
    qualification_date = models.DateField("дата присвоения категории", null=True, blank=True)
    hired_on = models.DateField("принят(а) на работу", null=True, blank=True)
    teaching_since = models.DateField("педагогический стаж с", null=True, blank=True)
    courses = models.TextField("курсы повышения квалификации", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "кадровая карточка"
        verbose_name_plural = "кадровые карточки"


class LettersJobStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "выполняется"
    DONE = "done", "готово"
    FAILED = "failed", "ошибка"


class LettersJob(models.Model):
    """A whole class's credentials letters, issued in the background: hashing a password
    per account takes about half a second, and a class has some seventy of them.

    The PDF carries one-time passwords: only the person who asked for it can take it, and
    it is erased once taken or after ``LETTERS_KEEP`` (``credentials.py``)."""

    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        "school.SchoolClass", on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # The students listed on the confirmation page, in its order.
    student_ids = models.JSONField(default=list)
    status = models.CharField(
        max_length=16, choices=LettersJobStatus.choices, default=LettersJobStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    letters = models.PositiveIntegerField("писем", default=0)
    pdf = models.BinaryField(blank=True, default=b"")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "выдача реквизитов классу"
        verbose_name_plural = "выдача реквизитов классам"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Реквизиты {self.school_class}: {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (LettersJobStatus.DONE, LettersJobStatus.FAILED)

    @property
    def progress_status(self) -> str:
        """The status in the words of the shared progress partial."""
        return "pending" if self.status == LettersJobStatus.QUEUED else self.status

    @property
    def status_text(self) -> str:
        if self.status == LettersJobStatus.DONE:
            return f"Готово: писем — {self.letters}."
        if self.status == LettersJobStatus.RUNNING:
            return f"Создаются пароли ({self.done} из {self.total})"
        return ""
