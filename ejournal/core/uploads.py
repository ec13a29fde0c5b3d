"""Checks for uploaded files: size, allowed kinds, and content that matches the name."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# Extension → (content type, accepted leading bytes; empty tuple: plain text).
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".odp": ("application/vnd.oasis.opendocument.presentation", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".txt": ("text/plain", ()),
}
ALLOWED_HUMAN = (
    "PDF, изображения (PNG, JPG, GIF), документы Word/Excel/PowerPoint/OpenDocument, TXT"
)


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    storage_name: str
    content_type: str
    size: int


def validate_upload(upload, *, max_bytes: int | None = None) -> CheckedUpload:
    """Refuse (with a Russian message) anything too big, of a kind not allowed, or whose
    content does not match its extension. The stored name is random: never the user's."""
    limit = max_bytes or MAX_UPLOAD_BYTES
    name = os.path.basename(upload.name or "").strip() or "file"
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise ValidationError(f"Файлы такого типа не принимаются. Можно: {ALLOWED_HUMAN}.")
    if upload.size > limit:
        raise ValidationError(f"Файл больше {limit // (1024 * 1024)} МБ.")
    if upload.size == 0:
        raise ValidationError("Файл пустой.")
    content_type, signatures = ALLOWED[ext]
    head = upload.read(16)
    upload.seek(0)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError("Содержимое файла не соответствует его расширению.")
    if not signatures:
        sample = upload.read(4096)
        upload.seek(0)
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError:
            try:
                sample.decode("cp1251")
            except UnicodeDecodeError:
                raise ValidationError(
                    "Текстовый файл должен быть в кодировке UTF-8 или Windows-1251."
                ) from None
        if b"\x00" in sample:
            raise ValidationError("Содержимое файла не соответствует его расширению.")
    return CheckedUpload(
        name=name[:255],
        storage_name=f"{secrets.token_hex(16)}{ext}",
        content_type=content_type,
        size=upload.size,
    )
