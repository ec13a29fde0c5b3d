"""A report formed in the background: its parameters, progress and the stored result."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RunStatus(models.TextChoices):
    PENDING = "pending", "в очереди"
    RUNNING = "running", "формируется"
    DONE = "done", "готов"
    FAILED = "failed", "ошибка"


class ReportRun(models.Model):
    slug = models.CharField("отчёт", max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_runs"
    )
    school = models.ForeignKey(
        "school.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    municipality = models.ForeignKey(
        "school.Municipality", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The filter form's data, re-validated against the user's scope when the run starts.
    params = models.JSONField("параметры", default=dict)
    status = models.CharField(
        "состояние", max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField("готово, %", default=0)
    result = models.JSONField("результат", null=True, blank=True)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "формирование отчёта"
        verbose_name_plural = "формирование отчётов"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="report_run_user_idx")]

    def __str__(self) -> str:
        return f"{self.slug} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
