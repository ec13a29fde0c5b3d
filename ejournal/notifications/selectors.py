from __future__ import annotations

from ejournal.notifications.models import Delivery


def recent_deliveries(*, user, limit: int = 20):
    return list(Delivery.objects.filter(user=user).order_by("-created_at", "-id")[:limit])
