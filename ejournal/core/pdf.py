"""PDF documents from Typst templates, shared by every printed form.

A template lives in its app: ``render_typst("diary/weekly.typ", data)`` compiles
``ejournal/diary/typst/weekly.typ``. The data goes in as JSON through ``sys.inputs.data``;
the template reads it with ``#let data = json(bytes(sys.inputs.data))``. Only the fonts
bundled with Typst are used (Libertinus Serif, New Computer Modern, DejaVu Sans Mono all
cover Cyrillic), so the output does not depend on the server's installed fonts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typst
from django.core.serializers.json import DjangoJSONEncoder

APPS_DIR = Path(__file__).resolve().parent.parent


def template_path(template_name: str) -> Path:
    app, _, name = template_name.partition("/")
    if not app or not name or ".." in Path(name).parts:
        raise ValueError(f"Неверное имя шаблона: {template_name}")
    path = APPS_DIR / app / "typst" / name
    if not path.is_file():
        raise FileNotFoundError(f"Шаблон не найден: {path}")
    return path


def render_typst(template_name: str, data: Any) -> bytes:
    path = template_path(template_name)
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return typst.compile(
        str(path),
        root=str(path.parent),
        sys_inputs={"data": payload},
        ignore_system_fonts=True,
    )
