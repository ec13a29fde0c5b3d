"""The electronic archive (frozen journal copies and summary sheets), the register of
backups, the usage log of backups and paper copies, and school-wide print jobs.

Archive records and backups are written only by ``archive.services``; once written an
archive record never changes (001 §4.9: its integrity is checked for its whole life), and
neither it nor a backup is deleted before the end of its retention term.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImmutableRecordError(Exception):
    """An attempt to change or delete an archive record outside the retention purge."""


class ArchiveKind(models.TextChoices):
    JOURNAL = "journal", "копия классного журнала"
    SUMMARY = "summary", "сводная ведомость"


class ArchiveRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError("Архивная запись не изменяется.")

    def delete(self):
        raise ImmutableRecordError("Архивная запись удаляется только по истечении срока хранения.")

    def _purge(self):
        # Only ``services.archive_purge`` calls this, after checking every term.
        return super().delete()


def archive_upload_to(instance: ArchiveRecord, filename: str) -> str:
    return f"archive/{instance.school_id}/{instance.year_id}/{filename}"


class ArchiveRecord(models.Model):
    school = models.ForeignKey("school.School", on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey("school.AcademicYear", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "school.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name="класс"
    )
    # Empty for the whole year.
    period = models.ForeignKey(
        "school.StudyPeriod", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("вид", max_length=16, choices=ArchiveKind.choices)
    title = models.CharField("название", max_length=300)
    version = models.PositiveSmallIntegerField("версия", default=1)
    pdf = models.FileField(upload_to=archive_upload_to, max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveIntegerField()
    # The exact JSON text the PDF was made from (hashed as UTF-8 bytes).
    data = models.TextField()
    data_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # The school's audit chain at archiving: the last event's number and hash.
    audit_chain = models.CharField(max_length=32)
    audit_seq = models.PositiveBigIntegerField()
    audit_hash = models.CharField(max_length=64)
    keep_until = models.DateField("хранить до")

    objects = ArchiveRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "архивная запись"
        verbose_name_plural = "архивные записи"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "period", "kind", "version"],
                name="archive_record_unique_version",
            ),
        ]
        indexes = [models.Index(fields=["school", "created_at"], name="archive_school_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableRecordError("Архивная запись не изменяется.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("Архивная запись удаляется только по истечении срока хранения.")


class Backup(models.Model):
    """One backup archive in the register (001 §3.3, §4.2)."""

    school = models.ForeignKey(
        "school.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    scheduled = models.BooleanField("по расписанию", default=False)
    engine = models.CharField("СУБД", max_length=20)
    path = models.CharField("где хранится", max_length=500)
    size = models.PositiveBigIntegerField("размер, байт")
    sha256 = models.CharField(max_length=64)
    manifest_sha256 = models.CharField(max_length=64)
    tables = models.PositiveIntegerField("таблиц", default=0)
    rows = models.PositiveBigIntegerField("строк", default=0)
    files = models.PositiveIntegerField("файлов", default=0)
    note = models.CharField("примечание", max_length=300, blank=True)
    keep_until = models.DateField("хранить до")
    last_check_at = models.DateTimeField("последняя проверка восстановления", null=True, blank=True)
    last_check_ok = models.BooleanField(null=True, blank=True)
    last_check_message = models.TextField(blank=True)
    last_success_at = models.DateTimeField(
        "последнее успешное восстановление", null=True, blank=True
    )

    class Meta:
        verbose_name = "резервная копия"
        verbose_name_plural = "реестр резервных копий"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Резервная копия от {self.created_at:%d.%m.%Y %H:%M}"


class UsageKind(models.TextChoices):
    BACKUP = "backup", "резервная копия"
    PAPER = "paper", "бумажная копия журнала"
    ARCHIVE = "archive", "архивная запись"


class UsageEntry(models.Model):
    """Журнал пользования резервными и бумажными копиями ЭЖ (001 §3.3)."""

    school = models.ForeignKey("school.School", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("что выдано", max_length=16, choices=UsageKind.choices)
    backup = models.ForeignKey(
        Backup, null=True, blank=True, on_delete=models.SET_NULL, related_name="usage"
    )
    record = models.ForeignKey(
        ArchiveRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.CharField("копия", max_length=300)
    taken_by = models.CharField("кто получил", max_length=200)
    purpose = models.CharField("цель", max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "запись журнала пользования копиями"
        verbose_name_plural = "журнал пользования копиями"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.taken_by}"


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "печатается"
    DONE = "done", "готово"
    FAILED = "failed", "ошибка"


def print_job_upload_to(instance: PrintJob, filename: str) -> str:
    return f"print_jobs/{instance.school_id}/{filename}"


class PrintJob(models.Model):
    """A school-wide printed copy, made in the background with its progress."""

    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey("school.AcademicYear", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(
        "school.StudyPeriod", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=PrintJobStatus.choices, default=PrintJobStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=print_job_upload_to, max_length=300, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "печать журналов школы"
        verbose_name_plural = "печать журналов школы"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Печать {self.school}: {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


class SchoolExportStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "выгружается"
    DONE = "done", "готово"
    FAILED = "failed", "ошибка"


def school_export_upload_to(instance: SchoolExport, filename: str) -> str:
    return f"school_exports/{instance.school_id}/{filename}"


class SchoolExport(models.Model):
    """«Выгрузка данных школы»: one school's own data as a ZIP of CSV files, made in the
    background. The deployment's backups hold every school; a school gets only this."""

    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=SchoolExportStatus.choices, default=SchoolExportStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=school_export_upload_to, max_length=300, blank=True)
    size = models.PositiveBigIntegerField("размер, байт", default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField("строк", default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "выгрузка данных школы"
        verbose_name_plural = "выгрузки данных школы"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "created_at"], name="school_export_recent")]

    def __str__(self) -> str:
        return f"Выгрузка данных школы от {self.created_at:%d.%m.%Y %H:%M}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (SchoolExportStatus.DONE, SchoolExportStatus.FAILED)

    @property
    def progress_status(self) -> str:
        """The status in the words of the shared progress partial."""
        return "pending" if self.status == SchoolExportStatus.QUEUED else self.status

    @property
    def status_text(self) -> str:
        if self.status == SchoolExportStatus.DONE:
            return f"Готово: строк — {self.rows}, {self.size} байт."
        if self.status == SchoolExportStatus.RUNNING:
            return f"Выгружаются данные ({self.done} из {self.total} разделов)"
        return ""
