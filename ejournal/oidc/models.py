"""Who a person is at the region's identity provider, and what the school knows to
recognise them there the first time."""

from __future__ import annotations

from django.db import models

from ejournal.accounts.models import User


class PersonIdentity(models.Model):
    """The identifiers a provider's claims are matched against once: СНИЛС, and the birth
    date (the name is the account's own). Kept apart from the account so that a school
    records them only for those who sign in from outside."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="oidc_identity")
    # Digits only, 11 of them; unique so that one СНИЛС can never open two accounts.
    snils = models.CharField("СНИЛС", max_length=11, unique=True, null=True, blank=True)
    birth_date = models.DateField("дата рождения", null=True, blank=True)

    class Meta:
        verbose_name = "данные для входа через Госуслуги"
        verbose_name_plural = "данные для входа через Госуслуги"


class OidcLink(models.Model):
    """A person at one provider (its ``sub``) linked to one account, made on the first
    successful match; later sign-ins find the account by ``sub`` alone."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="oidc_links")
    provider = models.CharField("провайдер", max_length=50)
    subject = models.CharField("идентификатор у провайдера", max_length=255)
    linked_at = models.DateTimeField("связан", auto_now_add=True)
    last_sign_in_at = models.DateTimeField("последний вход", null=True, blank=True)
    # The strength of the last sign-in as the provider stated it (two factors come from it).
    last_acr = models.CharField("уровень входа (acr)", max_length=255, blank=True)
    last_amr = models.JSONField("способы входа (amr)", default=list, blank=True)

    class Meta:
        verbose_name = "связь с провайдером входа"
        verbose_name_plural = "связи с провайдерами входа"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="oidc_link_one_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="oidc_link_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"
