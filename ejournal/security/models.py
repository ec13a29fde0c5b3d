"""Sessions a user can see and end, devices they signed in from, tamper alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UserSession(models.Model):
    """One signed-in browser: listed on «Мои сеансы» and revocable from there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    # The user's session epoch at sign-in: "sign out everywhere" bumps it, which hides
    # (and, through the auth hash, ends) every older session.
    epoch = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    last_activity = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    two_factor = models.BooleanField("вход с кодом", default=False)
    # «Запомнить это устройство»: alive SESSION_REMEMBER_DAYS from the last activity.
    remembered = models.BooleanField("запомненное устройство", default=False)

    class Meta:
        verbose_name = "сеанс"
        verbose_name_plural = "сеансы"
        indexes = [models.Index(fields=["user", "last_activity"])]


class KnownDevice(models.Model):
    """A browser kind + network a staff member has signed in from before."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices"
    )
    fingerprint = models.CharField(max_length=64)
    network = models.CharField(max_length=64)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "fingerprint", "network"], name="known_device_unique"
            )
        ]


class NewDeviceSignIn(models.Model):
    """A staff sign-in from an unknown device or network; an alert follows if the
    account then changes marks."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="new_device_sign_ins"
    )
    created_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    alerted = models.BooleanField(default=False)


class AlertKind(models.TextChoices):
    NIGHT = "night", "отметки изменены вне учебного времени"
    BURST = "burst", "много исправлений отметок подряд"
    NEW_DEVICE = "new_device", "вход с нового устройства и исправления отметок"
    MASS_MESSAGES = "mass_messages", "массовая рассылка сообщений вне учебного времени"


class TamperAlert(models.Model):
    """Unusual journal activity for the deputy to look at."""

    school = models.ForeignKey(
        "school.School", on_delete=models.CASCADE, related_name="tamper_alerts"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tamper_alerts"
    )
    kind = models.CharField("вид", max_length=16, choices=AlertKind.choices)
    # One alert per actor, kind and window (night, burst window, sign-in) — repeats add up.
    dedupe_key = models.CharField(max_length=120, unique=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    changes = models.PositiveIntegerField("изменений", default=1)
    detail = models.TextField(blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "сигнал о подозрительной активности"
        verbose_name_plural = "сигналы о подозрительной активности"
        ordering = ["-last_at"]
        indexes = [models.Index(fields=["school", "acknowledged_at", "-last_at"])]
