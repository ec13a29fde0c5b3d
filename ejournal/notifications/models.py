"""Who wants which notifications, and what was sent: each notification and its deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "электронная почта"
    SMS = "sms", "SMS"
    PUSH = "push", "push-уведомление"


class Event(models.TextChoices):
    MARK = "mark", "новая или изменённая отметка"
    ABSENCE = "absence", "пропуск или опоздание"
    HOMEWORK = "homework", "новое домашнее задание"
    PERIOD_MARK = "period_mark", "отметка за период"
    MESSAGE = "message", "сообщение"
    CORRECTION = "correction", "решение по запросу на исправление"
    TIMETABLE = "timetable", "изменение расписания на ближайшие дни"


class Mode(models.TextChoices):
    OFF = "off", "не присылать"
    IMMEDIATE = "immediate", "сразу"
    DAILY = "daily", "сводка за день"
    WEEKLY = "weekly", "сводка за неделю"


DIGEST_MODES = (Mode.DAILY, Mode.WEEKLY)


class Preference(models.Model):
    """How one user wants one event on one channel. No row: the default (``DEFAULT_MODES``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    channel = models.CharField("канал", max_length=8, choices=Channel.choices)
    event = models.CharField("событие", max_length=16, choices=Event.choices)
    mode = models.CharField("как присылать", max_length=12, choices=Mode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "настройка уведомлений"
        verbose_name_plural = "настройки уведомлений"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "event"], name="notification_pref_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_event_display()} / {self.get_channel_display()}"


# E-mail, immediately, for everything; SMS and push only when the user turns them on.
DEFAULT_MODES = {Channel.EMAIL: Mode.IMMEDIATE, Channel.SMS: Mode.OFF, Channel.PUSH: Mode.OFF}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "ожидает отправки"
    SENT = "sent", "отправлено"
    RETRY = "retry", "ошибка, будет повтор"
    FAILED = "failed", "не доставлено"
    SKIPPED = "skipped", "нет адреса"


class Delivery(models.Model):
    """One message on one channel to one user: a single notification or a digest of several.
    The log of attempts for delivery reports and retries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_deliveries"
    )
    channel = models.CharField("канал", max_length=8, choices=Channel.choices)
    address = models.CharField("адрес", max_length=255, blank=True)
    subject = models.CharField("тема", max_length=255)
    body = models.TextField("текст")
    is_digest = models.BooleanField("сводка", default=False)
    status = models.CharField(
        "состояние", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    next_attempt_at = models.DateTimeField("следующая попытка", null=True, blank=True)
    last_error = models.CharField("ошибка", max_length=500, blank=True)
    # The message's id at the provider (an SMS gateway's answer), for its delivery report.
    provider_id = models.CharField("номер у оператора", max_length=100, blank=True)
    # The page the message is about (a push opens it on tap).
    url = models.CharField("страница", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "доставка уведомления"
        verbose_name_plural = "журнал доставки уведомлений"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_retry_idx"),
            models.Index(fields=["user", "created_at"], name="delivery_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.user}: {self.subject}"


class Notification(models.Model):
    """One event for one user on one channel. Immediate ones get their own delivery at once;
    digest ones wait (``delivery`` empty) until the daily or weekly digest collects them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    school = models.ForeignKey(
        "school.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField("канал", max_length=8, choices=Channel.choices)
    event = models.CharField("событие", max_length=16, choices=Event.choices)
    mode = models.CharField("как присылать", max_length=12, choices=Mode.choices)
    subject = models.CharField("тема", max_length=255)
    body = models.TextField("текст")
    url = models.CharField("ссылка", max_length=500, blank=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["mode", "delivery"], name="notification_digest_idx"),
            models.Index(fields=["user", "created_at"], name="notification_user_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class PushSubscription(models.Model):
    """One browser of one person that receives Web Push (the subscription its push
    service gave it). Dropped when the push service says it is gone (404/410)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField("адрес службы push", max_length=1000, unique=True)
    p256dh = models.CharField("открытый ключ", max_length=200)
    auth = models.CharField("секрет", max_length=100)
    device = models.CharField("устройство", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField("последняя доставка", null=True, blank=True)

    class Meta:
        verbose_name = "устройство для push-уведомлений"
        verbose_name_plural = "устройства для push-уведомлений"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user}: {self.device or self.endpoint[:40]}"


class QuietHours(models.Model):
    """A person's quiet hours for push notifications (21:00–08:00 school time): a push made
    then waits until they end. No row: on, the default."""

    START = 21
    END = 8

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours"
    )
    enabled = models.BooleanField("тихие часы", default=True)

    class Meta:
        verbose_name = "тихие часы"
        verbose_name_plural = "тихие часы"
