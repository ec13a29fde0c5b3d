"""Faults: the database going away, a worker killed mid-save, many writers at once."""

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from ejournal.audit.models import AuditEvent
from ejournal.audit.services import chain_for, chain_verify
from ejournal.journal import services as journal
from ejournal.journal.models import Mark, Work, WorkType
from ejournal.testing import factories as f

ROOT = Path(settings.BASE_DIR)
LESSON_DAY = dt.date(2026, 11, 16)
DURING_LESSON = "2026-11-16 10:00 +0300"

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: the CI's PostgreSQL pass runs it (DATABASE_URL=postgres://…)",
)


# --- database unreachable ------------------------------------------------------


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
    env.update(extra)
    return env


DEAD_DB_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
out = {}
for path in ("/", "/journal/", "/api/v1/me", "/webapi/login"):
    r = client.get(path)
    out[path] = [r.status_code, r["Content-Type"], r.content.decode()]
print(json.dumps(out))
"""


@pytest.mark.slow  # waits out a dead database
def test_with_the_database_unreachable_pages_say_503_in_russian_and_api_in_json(tmp_path):
    # A database file in a directory that does not exist: every connection attempt fails,
    # as with a stopped server, but without waiting for network timeouts.
    env = _clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        EJOURNAL_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", DEAD_DB_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    status, content_type, body = out["/"]
    assert status == 503 and content_type.startswith("text/html")
    assert "Журнал временно недоступен" in body and "базой данных" in body
    assert out["/journal/"][0] == 503
    status, content_type, body = out["/api/v1/me"]
    assert status == 503 and content_type == "application/json"
    assert "базой данных" in json.loads(body)["error"]["message"]
    assert out["/webapi/login"][0] == 503 and out["/webapi/login"][1] == "application/json"


def test_a_database_error_inside_a_view_is_a_503_too(world, client_for, monkeypatch):
    from ejournal.accounts import selectors

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "profile_sections", broken)
    response = client_for("teacher").get("/profile/")
    assert response.status_code == 503
    assert "Журнал временно недоступен" in response.content.decode()
    assert response["Retry-After"] == "60"


def test_other_errors_stay_500(world, monkeypatch):
    from ejournal.accounts import selectors

    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(selectors, "profile_sections", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["teacher"])
    assert client.get("/profile/").status_code == 500


# --- a worker killed in the middle of a bulk save (PostgreSQL) --------------------

KILL_SCRIPT = """
import json, sys, time
import django
import time_machine
time_machine.travel(sys.argv[2], tick=True).start()
django.setup()
from ejournal.accounts.models import StaffMember, Student, User
from ejournal.journal import services
from ejournal.journal.models import Work

spec = json.loads(sys.argv[1])
original = services.cells._cell_save
done = 0

def cell_then_stall(**kwargs):
    global done
    result = original(**kwargs)
    done += 1
    if done == spec["stall_after"]:
        print("halfway", flush=True)
        time.sleep(600)
    return result

services.cells._cell_save = cell_then_stall
staff = StaffMember.objects.get(pk=spec["staff"])
works = list(Work.objects.filter(pk__in=spec["works"]).select_related("lesson"))
students = list(Student.objects.filter(pk__in=spec["students"]))
changes = [
    services.CellChange(kind="mark", lesson=w.lesson, student=s, work=w, value="5",
                        expected_version=None, comment="")
    for w in works for s in students
]
services.journal_cells_save(actor=User.objects.get(pk=spec["actor"]), staff=staff,
                            changes=changes)
print("finished", flush=True)
"""


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_bulk_save_leaves_nothing_of_it(tmp_path):
    world = f_world()
    teacher = world.staff["teacher"]
    lesson = f.make_lesson(world.group, world.subject, teacher, LESSON_DAY)
    journal.work_types_ensure_defaults(school=world.school)
    work_type = WorkType.objects.filter(school=world.school).first()
    works = [Work.objects.create(lesson=lesson, work_type=work_type) for _ in range(6)]
    cells = len(works) * len(world.students)
    events_before = AuditEvent.objects.count()
    spec = {
        "staff": teacher.pk,
        "actor": world.users["teacher"].pk,
        "works": [w.pk for w in works],
        "students": [s.pk for s in world.students],
        "stall_after": cells // 2,
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, json.dumps(spec), DURING_LESSON],
        cwd=ROOT,
        env=_clean_env(DATABASE_URL=_database_url(), DJANGO_SETTINGS_MODULE="config.settings"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = worker.stdout.readline().strip()
        assert line == "halfway", worker.stderr.read()
        # Half the cells are written inside the worker's open transaction.
        worker.kill()  # SIGKILL: no cleanup, no rollback by the worker itself
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -9
    assert Mark.objects.filter(work__in=works).count() == 0
    assert AuditEvent.objects.count() == events_before
    assert chain_verify(chain=chain_for(world.school.pk)).ok
    # The journal is usable at once: the same batch saves completely.
    with time_machine.travel(DURING_LESSON, tick=True):
        journal.journal_cells_save(
            actor=world.users["teacher"],
            staff=teacher,
            changes=[
                journal.CellChange(
                    kind="mark",
                    lesson=lesson,
                    student=s,
                    work=w,
                    value="4",
                    expected_version=None,
                    comment="",
                )
                for w in works
                for s in world.students
            ],
        )
    assert Mark.objects.filter(work__in=works).count() == cells


def f_world():
    from ejournal.testing.world import build_world

    return build_world()


# --- 20 concurrent writers (PostgreSQL) ----------------------------------------------

WRITERS = 20


def _concurrent(fn):
    errors = []
    barrier = threading.Barrier(WRITERS)

    def run(i):
        try:
            barrier.wait(timeout=30)
            fn(i)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors


@pytest.fixture
def _pool_for_all_writers():
    """Each writer thread holds a connection; the pool must have room for all of them
    (production sizes it with DB_POOL_MAX for its workers' threads)."""
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool")
    if not isinstance(pool, dict):
        yield
        return
    before = pool.get("max_size")
    pool["max_size"] = WRITERS + 5
    connection.close_pool()
    yield
    pool["max_size"] = before
    connection.close_pool()


@pytest.fixture
def contended_mark(transactional_db, _pool_for_all_writers):
    world = f_world()
    teacher = world.staff["teacher"]
    lesson = f.make_lesson(world.group, world.subject, teacher, LESSON_DAY)
    journal.work_types_ensure_defaults(school=world.school)
    work = Work.objects.create(
        lesson=lesson, work_type=WorkType.objects.filter(school=world.school).first()
    )
    with time_machine.travel(DURING_LESSON, tick=True):
        journal.mark_set(
            actor=world.users["teacher"],
            staff=teacher,
            work=work,
            student=world.child,
            value="3",
            expected_version=None,
        )
        yield world, lesson, work


def _assert_no_lost_update(world, work):
    mark = Mark.objects.get(work=work, student=world.child)
    # Created at version 1, then exactly one increment per writer.
    assert mark.version == 1 + WRITERS
    comments = set(
        AuditEvent.objects.filter(action="mark.updated").values_list("after__comment", flat=True)
    )
    assert comments == {f"писал {i}" for i in range(WRITERS)}
    assert chain_verify(chain=chain_for(world.school.pk)).ok


@needs_postgres
def test_twenty_concurrent_writers_through_the_services_lose_no_update(contended_mark):
    world, lesson, work = contended_mark

    def write(i):
        from ejournal.accounts.models import StaffMember, Student, User

        actor = User.objects.get(pk=world.users["teacher"].pk)
        staff = StaffMember.objects.get(pk=world.staff["teacher"].pk)
        student = Student.objects.get(pk=world.child.pk)
        mine = Work.objects.select_related("lesson", "work_type").get(pk=work.pk)
        for _ in range(200):
            version = Mark.objects.get(work=mine, student=student).version
            try:
                journal.mark_set(
                    actor=actor,
                    staff=staff,
                    work=mine,
                    student=student,
                    value="4",
                    comment=f"писал {i}",
                    expected_version=version,
                )
                return
            except journal.JournalConflict:
                continue  # someone else saved first: re-read and try again
        raise AssertionError("never got through")

    _concurrent(write)
    _assert_no_lost_update(world, work)


@needs_postgres
def test_twenty_concurrent_writers_through_the_api_lose_no_update(contended_mark):
    world, lesson, work = contended_mark
    clients = []
    for _ in range(WRITERS):
        client = Client()
        client.force_login(world.users["teacher"])
        clients.append(client)
    url = f"/api/v1/lessons/{lesson.pk}/marks"

    def write(i):
        client = clients[i]
        for _ in range(200):
            version = Mark.objects.get(work_id=work.pk, student_id=world.child.pk).version
            body = {
                "items": [
                    {
                        "student_id": world.child.pk,
                        "work_id": work.pk,
                        "value": "4",
                        "comment": f"писал {i}",
                        "version": version,
                    }
                ]
            }
            response = client.put(url, json.dumps(body), content_type="application/json")
            if response.status_code == 200:
                return
            assert response.status_code == 409, (response.status_code, response.content[:300])
        raise AssertionError("never got through")

    _concurrent(write)
    _assert_no_lost_update(world, work)
