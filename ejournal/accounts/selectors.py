"""Reads for accounts pages: the sections of «Профиль»."""

from __future__ import annotations

from typing import Any

from ejournal.core import registry


def profile_sections(*, request) -> list[dict[str, Any]]:
    """The sections other apps add to «Профиль» (``registry.PROFILE_SECTIONS``)."""
    sections = []
    for section in registry.PROFILE_SECTIONS.providers():
        item = section(request)
        if item:
            sections.append(item)
    return sections
