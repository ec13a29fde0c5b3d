"""Long jobs do their slow part outside any transaction: while one runs, a colleague's
mark save from another connection goes through at once (issue #21: a class's letters held
SQLite's write lock for 25–43 s and the saves behind them failed).

Each job runs in its own thread and connection on a file database; its slow step (PDF
rendering, password hashing, writing an XLSX) is held open until the save is done. A job
that held a transaction across that step would make the save wait the whole hold."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
import time_machine
import typst
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.utils import timezone

from ejournal.accounts.models import LettersJob, Student
from ejournal.archive import backups
from ejournal.archive import services as archive
from ejournal.archive.models import PrintJob, UsageEntry
from ejournal.attestation.models import PeriodClosure
from ejournal.diary import printout
from ejournal.journal import services as journal
from ejournal.journal.models import Mark, Work, WorkType
from ejournal.people import contingent_import, credentials
from ejournal.school.models import StudyPeriod
from ejournal.testing import factories as f
from ejournal.testing.world import build_world
from ejournal.testing.write_lock import SlowPart, file_database

LESSON_DAY = dt.date(2026, 11, 16)
DURING_LESSON = "2026-11-16 10:00 +0300"
# The busy timeout is 20 s; a save that waited for the job would take the whole hold.
HOLD_SECONDS = 6.0
SAVE_LIMIT_SECONDS = 2.0


def _letters(world):
    job = credentials.letters_job_start(
        actor=world.users["homeroom"],
        school_class=world.school_class,
        students=list(Student.objects.filter(pk__in=[s.pk for s in world.students])),
    )

    def run():
        credentials.letters_job_run(job_id=job.pk)

    def check():
        job.refresh_from_db()
        assert job.status == "done", job.error
        assert job.letters == 4 and bytes(job.pdf).startswith(b"%PDF")

    return run, check


def _school_print(world):
    job = archive.print_job_start(
        actor=world.users["deputy"], school=world.school, year=world.year, period=None
    )

    def run():
        archive.print_job_run(job_id=job.pk)

    def check():
        job.refresh_from_db()
        assert job.status == "done", job.error
        assert PrintJob.objects.get(pk=job.pk).file

    return run, check


def _copy_print(world):
    printed = {}

    def run():
        printed["pdf"] = archive.copy_print(
            actor=world.users["deputy"],
            school_class=world.school_class,
            period=None,
            purpose="проверка ведения журнала",
        )

    def check():
        assert printed["pdf"].startswith(b"%PDF")
        assert UsageEntry.objects.filter(purpose="проверка ведения журнала").count() == 1

    return run, check


def _archive_record(world):
    period = StudyPeriod.objects.get(band__year=world.year, number=1)
    PeriodClosure.objects.create(
        period=period, is_closed=True, closed_by=world.users["deputy"], closed_at=timezone.now()
    )
    made = {}

    def run():
        made["records"] = archive.archive_create(
            actor=world.users["deputy"], school_class=world.school_class, period=period
        )

    def check():
        assert [r.version for r in made["records"]] == [1, 1]
        assert all(r.pdf.storage.exists(r.pdf.name) for r in made["records"])

    return run, check


def _weekly_printout(world):
    printed = {}

    def run():
        printed["pdf"] = printout.weekly_pdf(
            actor=world.users["homeroom"],
            school_class=world.school_class,
            students=world.students,
            day=LESSON_DAY,
        )

    def check():
        assert printed["pdf"].startswith(b"%PDF")

    return run, check


IMPORT = (
    "класс;фамилия;имя;отчество;дата рождения;пол;родитель фамилия;родитель имя;"
    "родитель отчество;кем приходится;телефон;e-mail;номер приказа;дата приказа;прибыл из\n"
    "5А;Новиков;Пётр;Иванович;01.03.2015;м;Новикова;Анна;Петровна;мать;+79000000000;;"
    "41-к;16.11.2026;\n"
)


def _contingent_import(world):
    loaded = {}

    def run():
        loaded["result"] = contingent_import.apply(
            school=world.school,
            year=world.year,
            name="новые.csv",
            content=IMPORT.encode(),
            enroll_from=LESSON_DAY,
            actor=world.users["operator"],
        )

    def check():
        assert not loaded["result"].errors, loaded["result"].errors
        assert Student.objects.filter(last_name="Новиков", school=world.school).count() == 1

    return run, check


def _backup(world):
    made = {}

    def run():
        made["backup"] = backups.backup_create(actor=None)

    def check():
        assert backups.read_verified(Path(made["backup"].path))["engine"]

    return run, check


JOBS = {
    "class letters": _letters,
    "school printout": _school_print,
    "printed copy": _copy_print,
    "archive record": _archive_record,
    "weekly diary printout": _weekly_printout,
    "contingent import": _contingent_import,
    "backup": _backup,
}


@pytest.fixture
def slow_part(monkeypatch, settings, tmp_path):
    """The slow steps of every job, held open: Typst rendering, password hashing, reading
    an imported file, writing a backup's archive."""
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.EJOURNAL_BACKUP_DIR = str(tmp_path / "backups")
    part = SlowPart(hold=HOLD_SECONDS)
    monkeypatch.setattr(typst, "compile", part.wrap(typst.compile))
    monkeypatch.setattr(MD5PasswordHasher, "encode", part.wrap(MD5PasswordHasher.encode))
    monkeypatch.setattr(contingent_import, "parse", part.wrap(contingent_import.parse))
    monkeypatch.setattr(backups.create, "backup_write", part.wrap(backups.create.backup_write))
    yield part
    part.release()


@pytest.fixture
def school(transactional_db, tmp_path):
    with file_database(tmp_path), time_machine.travel(DURING_LESSON, tick=True):
        world = build_world()
        teacher = world.staff["teacher"]
        lesson = f.make_lesson(world.group, world.subject, teacher, LESSON_DAY)
        journal.work_types_ensure_defaults(school=world.school)
        work = Work.objects.create(
            lesson=lesson, work_type=WorkType.objects.filter(school=world.school).first()
        )
        yield world, work


@pytest.mark.parametrize("job", JOBS)
def test_a_mark_save_does_not_wait_for_a_long_job(school, slow_part, job):
    world, work = school
    run, check = JOBS[job](world)
    failures: list[BaseException] = []

    def in_background():
        try:
            run()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
        finally:
            slow_part.release()
            connection.close()

    worker = threading.Thread(target=in_background)
    worker.start()
    assert slow_part.inside.wait(timeout=30), "the job never reached its slow step"
    started = time.perf_counter()
    journal.mark_set(
        actor=world.users["teacher"],
        staff=world.staff["teacher"],
        work=work,
        student=world.child,
        value="5",
        expected_version=None,
    )
    waited = time.perf_counter() - started
    slow_part.release()
    worker.join(timeout=60)
    assert not worker.is_alive() and not failures, failures
    assert waited < SAVE_LIMIT_SECONDS, f"the mark save waited {waited:.1f} s for the job"
    assert Mark.objects.get(work=work, student=world.child).value == "5"
    check()
    assert LettersJob.objects.exclude(status="done").count() == 0
