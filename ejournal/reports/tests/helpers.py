"""Helpers for report tests: read back the files a report produces.

Import `_immediate_tasks` into a test module to run background reports at once.
"""

from __future__ import annotations

import io

import pytest


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet, tab-separated, one line per row."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    lines = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def report_url(slug: str, **params) -> str:
    from urllib.parse import urlencode

    query = urlencode(params)
    return f"/reports/{slug}/" + (f"?{query}" if query else "")
