"""Headers, cookies, deploy checks, rich text and uploads."""

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ejournal.core.uploads import validate_upload

ROOT = Path(settings.BASE_DIR)
EVIL = (
    '<script>alert(1)</script><p onclick="steal()">Привет</p>'
    '<a href="javascript:alert(1)">ссылка</a><img src=x onerror=alert(2)>'
    '<iframe src="https://evil.example"></iframe><style>body{}</style>'
)


def _assert_clean(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<style", "<img"):
        assert bad not in lowered, (bad, html)
    assert "Привет" in html


def test_pages_carry_csp_frame_denial_referrer_and_permissions_policy(world, client_for):
    response = client_for("teacher").get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # The sign-in page too, for anonymous visitors.
    assert "Content-Security-Policy" in client_for("anonymous").get(reverse("accounts:login"))


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    """CSP forbids them; a new one would silently stop working in the browser."""
    problems = []
    for path in (ROOT / "ejournal").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            # A JSON data island is not executed; anything else needs src=.
            r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>",
            r"<style[\s>]",
            r"\sstyle=\"",
            r"\son[a-z]+=\"",
            r"\shx-on[:-]",
            r"javascript:",
        ):
            if re.search(pattern, text, flags=re.IGNORECASE):
                problems.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not problems, "inline code is blocked by the CSP:\n" + "\n".join(problems)


def test_cookies_are_http_only_and_same_site(world):
    from django.test import Client

    from ejournal.testing.factories import TEST_PASSWORD

    client = Client()
    client.post(reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY


def _production_env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO", "DATABASE_URL", "PYTEST", "DEBUG", "SECRET_KEY"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        HTTPS="1",
        ALLOWED_HOSTS="journal.example.ru",
        EJOURNAL_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


@pytest.mark.slow  # a manage.py process
def test_production_settings_pass_check_deploy(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output and "WARNING" not in output


@pytest.mark.slow  # a manage.py process
def test_production_settings_use_secure_host_only_cookies(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_NAME,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["True", "True", "__Host-ejournal_session", "True", "31536000"]


def test_messages_are_sanitised(world):
    from ejournal.messaging import services

    conversation = services.conversation_start(
        actor=world.users["teacher"],
        school=world.school,
        recipient_ids=[world.users["parent"].pk],
        subject="Тест",
        body=EVIL,
        check_rules=False,
    )
    _assert_clean(conversation.messages.get().body)


def test_announcements_and_events_are_sanitised(world):
    from ejournal.messaging import services
    from ejournal.messaging.models import EventKind

    announcement = services.announcement_create(
        actor=world.users["admin"],
        school=world.school,
        audience="school",
        title="Объявление",
        body=EVIL,
        publish_from=dt.date(2026, 9, 1),
    )
    _assert_clean(announcement.body)
    event = services.event_create(
        actor=world.users["deputy"],
        school=world.school,
        kind=EventKind.values[0],
        title="Событие",
        starts_at=timezone.now(),
        description=EVIL,
    )
    _assert_clean(event.description)


def test_rendered_rich_text_never_carries_script(world, client_for):
    from ejournal.messaging import services

    conversation = services.conversation_start(
        actor=world.users["teacher"],
        school=world.school,
        recipient_ids=[world.users["parent"].pk],
        subject="Тест",
        body=EVIL,
        check_rules=False,
    )
    page = client_for("parent").get(f"/messages/{conversation.pk}/").content.decode()
    assert "alert(" not in page and "onerror" not in page and "Привет" in page


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "не соответствует"),
        ("photo.png", b"GIF89a....", "не соответствует"),
        ("page.html", b"<html></html>", "не принимаются"),
        ("run.exe", b"MZ\x90\x00", "не принимаются"),
        ("notes.txt", b"\x00\x01\x02binary", "не соответствует"),
    ],
)
def test_uploads_are_checked_by_content_not_by_name(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_upload(SimpleUploadedFile(name, content))


def test_uploads_are_size_limited():
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048)
    with pytest.raises(ValidationError, match="больше"):
        validate_upload(big, max_bytes=1024)
    assert validate_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.4 ok")).storage_name.endswith(
        ".pdf"
    )


def test_uploaded_files_download_as_attachments_never_rendered(
    world, client_for, settings, tmp_path
):
    from ejournal.messaging import services

    settings.MEDIA_ROOT = tmp_path
    conversation = services.conversation_start(
        actor=world.users["teacher"],
        school=world.school,
        recipient_ids=[world.users["parent"].pk],
        subject="Файл",
        body="Смотрите вложение",
        uploads=[SimpleUploadedFile("отчёт.pdf", b"%PDF-1.4 test", content_type="text/html")],
        check_rules=False,
    )
    attachment = conversation.messages.get().attachments.get()
    response = client_for("parent").get(reverse("messaging:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    # The stored name is random and the storage directory has no URL: nothing there
    # can be requested (let alone executed) directly.
    stored = Path(attachment.file.name)
    assert "отчёт" not in stored.name
    assert client_for("parent").get("/" + attachment.file.name).status_code == 404


def _calls(text: str, name: str):
    start = 0
    while (index := text.find(name + "(", start)) != -1:
        depth, end = 0, index + len(name)
        for end in range(index + len(name), len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        yield text[index : end + 1]
        start = end


# Files of our own (not uploaded by users) may be shown in place.
OWN_FILES = {"ejournal/api/docs.py"}


def test_every_file_download_view_sends_attachment():
    """Views returning user files must use as_attachment; a regression check by source."""
    offenders = []
    for path in (ROOT / "ejournal").rglob("*.py"):
        relative = str(path.relative_to(ROOT))
        if "tests" in path.parts or relative in OWN_FILES:
            continue
        for call in _calls(path.read_text(encoding="utf-8"), "FileResponse"):
            if "as_attachment=True" not in call:
                offenders.append(f"{relative}: {call[:80]}")
    assert not offenders, offenders
