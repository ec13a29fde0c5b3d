"""URLs for pages built in Python, where reversing one per cell would cost more than the
cell."""

from __future__ import annotations

from django.urls import reverse

_PLACEHOLDER = 987654321


def url_template(viewname: str, *args) -> str:
    """The URL of ``viewname`` with ``args`` and one more, last id left as ``{}`` for
    ``str.format``: reversed once, filled per row."""
    return reverse(viewname, args=[*args, _PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
