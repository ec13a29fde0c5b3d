"""Reads of personal access tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from ejournal.api.models import ApiToken


def tokens_of(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_of(*, user, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, pk=token_id).first()
