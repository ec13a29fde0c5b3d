"""Who is acting, for code that runs deep inside a request (the audit trail)."""

from contextvars import ContextVar
from typing import Any

_request_meta: ContextVar[dict[str, Any] | None] = ContextVar("request_meta", default=None)


def set_request_meta(meta: dict[str, Any] | None) -> Any:
    return _request_meta.set(meta)


def reset_request_meta(token: Any) -> None:
    _request_meta.reset(token)


def current_request_meta() -> dict[str, Any]:
    return _request_meta.get() or {}


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted solely when a proxy sets it (see README).
    return request.META.get("REMOTE_ADDR") or None
