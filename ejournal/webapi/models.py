"""App passwords and the sessions of the NetSchool-compatible API (``/webapi/``).

The protocol needs a password-equivalent MD5 of the password, so it never sees a user's
real password: a parent or student creates an app password, which is stored only as that
MD5, encrypted with a key derived from ``SECRET_KEY`` (see ``credentials``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AppPassword(models.Model):
    """A generated password for third-party diary clients; read-only, revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_passwords"
    )
    # The encrypted MD5 of the password (Windows-1251), never the password itself.
    secret = models.CharField(max_length=200)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)
    revoked_at = models.DateTimeField("отключён", null=True, blank=True)

    class Meta:
        verbose_name = "пароль для сторонних приложений"
        verbose_name_plural = "пароли для сторонних приложений"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="app_password_one_active_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"Пароль приложений: {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AppSignIn(models.Model):
    """One successful sign-in with an app password, shown to its owner."""

    app_password = models.ForeignKey(AppPassword, on_delete=models.CASCADE, related_name="sign_ins")
    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("когда", auto_now_add=True)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    user_agent = models.CharField("программа", max_length=300, blank=True)

    class Meta:
        verbose_name = "вход стороннего приложения"
        verbose_name_plural = "входы сторонних приложений"
        ordering = ["-created_at", "-id"]


class EndReason(models.TextChoices):
    LOGOUT = "logout", "выход"
    REVOKED = "revoked", "доступ отключён"


class WebapiSession(models.Model):
    """A client's session: its cookie, the login challenge, and after login its token.

    The cookie stays the same across re-logins from the same cookie jar: ``netschoolapi``
    re-sends the request that failed with 401 with its old token and old cookie.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The login challenge (``auth/getdata``): ``lt`` is its handle, the salt is never re-sent.
    challenge_lt = models.CharField(max_length=64, blank=True, db_index=True)
    challenge_salt = models.CharField(max_length=64, blank=True)
    challenge_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webapi_sessions",
    )
    app_password = models.ForeignKey(
        AppPassword, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    school = models.ForeignKey(
        "school.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The user's session epoch at login: "выйти на всех устройствах" ends these sessions too.
    user_epoch = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = "сеанс стороннего приложения"
        verbose_name_plural = "сеансы сторонних приложений"
        indexes = [models.Index(fields=["user", "ended_at"], name="webapi_session_user_idx")]

    def __str__(self) -> str:
        return f"Сеанс {self.pk} ({self.user or 'без входа'})"
