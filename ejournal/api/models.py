"""Personal access tokens of the REST API.

Only a SHA-256 of the token is stored; the token itself is shown once, when it is made.
The short prefix is kept in clear so that the owner can tell their tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenScope(models.TextChoices):
    READ = "read", "только чтение"
    WRITE = "write", "чтение и запись"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("название", max_length=100)
    prefix = models.CharField("начало токена", max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField("доступ", max_length=8, choices=TokenScope.choices)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    expires_at = models.DateTimeField("действует до")
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("с адреса", null=True, blank=True)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "токен доступа к API"
        verbose_name_plural = "токены доступа к API"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and self.expires_at > moment

    @property
    def is_active(self) -> bool:
        return self.is_active_at(timezone.now())

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "отозван"
        if self.expires_at <= timezone.now():
            return "истёк"
        return "действует"
