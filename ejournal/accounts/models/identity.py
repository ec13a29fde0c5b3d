"""Identity: users and the roles they hold per school."""

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
    # The person opened a link sent to ``email`` (a school-entered address is not
    # confirmed): only a confirmed address may receive a password reset.
    email_confirmed = models.BooleanField("адрес подтверждён", default=False)

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
