"""Who is acting, for code that runs deep inside a request (the audit trail)."""

import functools
import ipaddress
from contextvars import ContextVar
from typing import Any

from django.conf import settings

_request_meta: ContextVar[dict[str, Any] | None] = ContextVar("request_meta", default=None)


def set_request_meta(meta: dict[str, Any] | None) -> Any:
    return _request_meta.set(meta)


def reset_request_meta(token: Any) -> None:
    _request_meta.reset(token)


def current_request_meta() -> dict[str, Any]:
    return _request_meta.get() or {}


# Sent by the page's own timers (the unread counter): the person may have left the tab.
BACKGROUND_HEADER = "X-Background-Poll"


def is_background_poll(request) -> bool:
    """A request made by a timer in an open tab or by the diary's service worker, not by
    the person: it must not count as
    activity (an open tab would otherwise keep its session alive until the absolute
    lifetime)."""
    if request.headers.get(BACKGROUND_HEADER) == "1":
        return True
    # The browser re-fetching a service worker to check for an update (it sends
    # «Service-Worker: script»): a tab left open on the diary does this on its own.
    return request.headers.get("Service-Worker") == "script"


@functools.cache
def _trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    networks = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    """The address of whoever sent the request.

    X-Forwarded-For is read only when the request came from a configured proxy
    (TRUSTED_PROXIES), and then from the right: each trusted proxy's hop is skipped and the
    first address that is not a trusted proxy is the client. Anything further left was
    written by the client itself and could be anything, so it is never believed. Without
    TRUSTED_PROXIES every request is its REMOTE_ADDR (a client forging the header gains
    nothing)."""
    address = request.META.get("REMOTE_ADDR") or None
    if not address or not _is_trusted(address):
        return address
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # a malformed hop: trust nothing beyond it
        address = hop
        if not _is_trusted(hop):
            break
    return address
