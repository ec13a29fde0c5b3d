"""Reads of bell schedules, timetables and lessons."""

from __future__ import annotations


def register_start_page_extension() -> None:
    return None
