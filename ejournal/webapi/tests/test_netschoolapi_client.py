"""The real third-party client against the real server: ``netschoolapi`` 11.0.5 from PyPI,
unmodified, in its own virtualenv, reads the demo parent's diary over HTTP.

The virtualenv is cached (``~/.cache/ejournal-netschoolapi``, or
``EJOURNAL_NETSCHOOLAPI_CACHE``). Without network access to the package index the test is
skipped — unless ``CI`` is set, where it fails instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

# Slow (installs and runs the netschoolapi client): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

CLIENT = "netschoolapi==11.0.5"
SCRIPT = Path(__file__).with_name("netschool_client_script.py")
HOMEWORK_TYPE = "Домашнее задание"

# Runs in the server's database (manage.py shell): the demo parent's app password, the week
# the test reads, and what the diary selectors (the diary page) show for that week.
SETUP = r"""
import datetime as dt, json
from django.core.management import call_command
from ejournal.accounts.models import User
from ejournal.diary import selectors as diary
from ejournal.journal.models import Mark
from ejournal.messaging import selectors as messaging
from ejournal.school.selectors import school_today
from ejournal.webapi import services

call_command("migrate", verbosity=0, interactive=False)
call_command("seed_demo", classes_per_grade=1, students_per_class=5, verbosity=0)
user = User.objects.get(username="parent")
_, password = services.app_password_create(user=user)
students = diary.family_students(user)
today = school_today(students[0].school)
result = {"password": password, "school": students[0].school.short_name, "students": {}}
for student in students:
    # The most recent finished week with a commented mark, else with any mark, else this
    # week (whatever the date the demo was seeded on, holidays included).
    monday = diary.week_start(today) - dt.timedelta(days=7)
    weeks = [monday - dt.timedelta(days=7 * back) for back in range(60)]
    def marks_of(start):
        return Mark.objects.filter(
            student=student, work__lesson__date__range=(start, start + dt.timedelta(days=5))
        )
    chosen = next(
        (w for w in weeks if marks_of(w).exclude(comment="").exists()),
        next((w for w in weeks if marks_of(w).exists()), diary.week_start(today)),
    )
    week = diary.student_week(student, chosen, today)
    lessons, marks = [], []
    for day in week.days:
        if day.date > chosen + dt.timedelta(days=5):
            continue
        for item in day.lessons:
            l = item.lesson
            lessons.append([str(l.date), l.number, l.subject.name,
                            l.start_time.strftime("%H:%M"), l.end_time.strftime("%H:%M"),
                            l.room])
            for m in item.marks:
                marks.append([str(l.date), l.number, m.work_type, m.numeric,
                              m.value == "dot", m.comment])
    summary = diary.student_summary(student, today)
    notices = {
        a.title for s in students
        for a in messaging.announcements_for(user=user, school=s.school, day=today, student=s)
    }
    result["students"][str(student.pk)] = {
        "week": str(chosen), "lessons": lessons, "marks": marks,
        "overdue": len(summary.debts) + len(summary.missed_works),
        "announcements": sorted(notices), "school_name": student.school.name,
    }
print("RESULT " + json.dumps(result, ensure_ascii=False))
"""


def _expire_sessions(data_dir: str) -> int:
    """End the parent's sessions on the server by their clock (straight in its SQLite file:
    a Django process would cost seconds)."""
    with sqlite3.connect(Path(data_dir) / "ejournal.sqlite3", timeout=20) as db:
        cursor = db.execute(
            "UPDATE webapi_webapisession SET expires_at = datetime('now', '-1 minute') "
            "WHERE ended_at IS NULL AND user_id = "
            "(SELECT id FROM accounts_user WHERE username = 'parent')"
        )
        return cursor.rowcount


def _pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/netschoolapi/", timeout=5).close()
        return True
    except OSError:
        return False


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the netschoolapi integration test must run)")
    pytest.skip(reason)


def client_python() -> Path:
    """A cached virtualenv with the client; built in a temporary place and moved in whole,
    so that a run interrupted half-way or two runs at once never leave a broken one."""
    cache = Path(
        os.environ.get("EJOURNAL_NETSCHOOLAPI_CACHE", Path.home() / ".cache/ejournal-netschoolapi")
    )
    venv = cache / "venv-11.0.5"
    python = venv / "bin" / "python"
    if python.exists():
        check = subprocess.run([python, "-c", "import netschoolapi"], capture_output=True)
        if check.returncode == 0:
            return python
        shutil.rmtree(venv, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="venv-", dir=cache))
    try:
        subprocess.run(
            [_system_python(), "-m", "venv", "--clear", str(building)],
            check=True,
            capture_output=True,
        )
        pip = subprocess.run(
            [
                building / "bin" / "python",
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                CLIENT,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if pip.returncode != 0:
            if not _pypi_reachable():
                _unavailable(f"PyPI is unreachable: cannot install {CLIENT}")
            pytest.fail(f"pip install {CLIENT} failed:\n{pip.stdout}\n{pip.stderr}")
        with contextlib.suppress(OSError):  # another run finished first
            building.rename(venv)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return python


def _system_python() -> str:
    # The project's own virtualenv may lack ensurepip (uv makes it without pip).
    return shutil.which("python3") or sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env, *args, timeout=120) -> str:
    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("server did not start")


def _read_phase(client: subprocess.Popen, phase: str) -> dict:
    line = client.stdout.readline()
    assert line, f"client ended before {phase}: {client.stderr.read()}"
    data = json.loads(line)
    assert data["phase"] == phase, data
    return data


def _client_view(diary: dict, start: str) -> tuple[list, list, list]:
    lessons, marks, homework = [], [], []
    for day in diary["schedule"]:
        for lesson in day["lessons"]:
            key = [lesson["day"], lesson["number"]]
            lessons.append(
                [
                    *key,
                    lesson["subject"],
                    lesson["start"][:5],
                    lesson["end"][:5],
                    lesson["room"] or "",
                ]
            )
            for a in lesson["assignments"]:
                if a["type"] == HOMEWORK_TYPE and a["id"] % 2 == 1:
                    homework.append(a)
                else:
                    marks.append([*key, a["type"], a["mark"], a["is_duty"], a["comment"]])
    return lessons, marks, homework


def test_netschoolapi_reads_the_demo_parents_diary_like_the_diary_page():
    python = client_python()
    data_dir = tempfile.mkdtemp(prefix="ejournal-webapi-it-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(
        EJOURNAL_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    server = client = watchdog = None
    try:
        out = _manage(env, "shell", "-c", SETUP, timeout=400)
        expected = json.loads(out.split("RESULT ", 1)[1])
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{port}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        _wait_for(f"{url}/webapi/logindata", server)

        # The client reads the week starting on the Monday chosen for its first student.
        first = next(iter(expected["students"].values()))
        client = subprocess.Popen(
            [
                python,
                str(SCRIPT),
                url,
                "parent",
                expected["password"],
                expected["school"],
                first["week"],
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # A hung client must not hang the suite: the watchdog kills it, readline then ends.
        watchdog = threading.Timer(300, client.kill)
        watchdog.start()
        read = _read_phase(client, "read")
        want = expected["students"][str(read["student_id"])]
        assert want is first, "the client reads the family's first child"
        lessons, marks, homework = _client_view(read["diary"], want["week"])
        assert lessons == [[d, n, s, a, b, r] for d, n, s, a, b, r in want["lessons"]]
        assert lessons, "the chosen week has lessons"
        assert sorted(marks, key=str) == sorted(want["marks"], key=str)
        assert len(read["overdue"]) == want["overdue"]
        assert sorted(a["name"] for a in read["announcements"]) == want["announcements"]
        assert read["school"]["name"] == want["school_name"]
        assert read["photo_bytes"] > 0
        assert read["logins"] == 1
        assert all(h["mark"] is None for h in homework)

        wrong = _read_phase(client, "wrong_password")
        assert wrong["raised"] == "AuthError"
        _read_phase(client, "waiting")

        assert _expire_sessions(data_dir) == 1
        client.stdin.write("go\n")
        client.stdin.flush()
        after = _read_phase(client, "after_expiry")
        assert after["relogins"] == 1, "one re-login recovers the expired session"
        assert _client_view(after["diary"], want["week"])[:2] == (lessons, marks)
        _read_phase(client, "done")
        assert client.wait(timeout=20) == 0, client.stderr.read()
    finally:
        if watchdog is not None:
            watchdog.cancel()
        for proc in (client, server):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
