"""The records a school keeps about its people: orders, consent, movement, health sheets,
activities, staff records, compromise reports and letters jobs. They belong to
``ejournal.people``; kept in the accounts app so that no data migration is needed."""

from __future__ import annotations

from django.db import models

from ejournal.accounts.models.identity import User
from ejournal.accounts.models.people import Guardian, StaffMember, Student


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
