"""«Выгрузка данных школы» (issue #22): a school takes its own data, and nothing of another
school; only its administrator and director; at most three an hour; audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse

from ejournal.archive import school_export
from ejournal.archive.models import SchoolExport
from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.audit.models import AuditEvent
from ejournal.journal.models import Attendance, Homework, LessonRecord, Mark, Work, WorkType
from ejournal.journal.services import work_types_ensure_defaults
from ejournal.testing import factories as f
from ejournal.testing.world import WORLD_ROLES

pytestmark = pytest.mark.django_db

NOW = "2026-11-25 10:00 +0300"
EXPORTERS = {"admin", "director"}
# Everything of the second school that the first school's export must not carry.
SCHOOL_2 = (
    "Иношкольный",
    "Иношкольная",
    "Учительский",
    "История",
    "7В",
    "Тема второй школы",
    "Задание второй школы",
    "Комментарий второй школы",
)


class SecondSchool:
    """The other school of the role world, with one of each kind of data, and one row
    that wrongly points across schools (a mark of its pupil on a lesson of school 1)."""

    def __init__(self, arw):
        other = arw.w.other_school
        year = f.YearFactory(school=other)
        band = f.BandFactory(year=year)
        period = f.PeriodFactory(band=band)
        klass = f.ClassFactory(school=other, year=year, grade=7, letter="В")
        group = f.GroupFactory(school_class=klass, name="7В")
        subject = f.SubjectFactory(school=other, name="История")
        teacher = f.StaffFactory(school=other, last_name="Учительский")
        f.load(group, subject, teacher)
        self.student = f.StudentFactory(school=other, last_name="Иношкольный")
        f.enroll(self.student, klass)
        guardian = f.GuardianFactory(school=other, last_name="Иношкольная")
        f.link_guardian(self.student, guardian)
        self.lesson = f.make_lesson(group, subject, teacher, dt.date(2026, 11, 16))
        LessonRecord.objects.create(lesson=self.lesson, topic="Тема второй школы")
        work_types_ensure_defaults(school=other)
        work = Work.objects.create(
            lesson=self.lesson, work_type=WorkType.objects.filter(school=other).first()
        )
        Mark.objects.create(
            work=work, student=self.student, value="5", comment="Комментарий второй школы"
        )
        Attendance.objects.create(lesson=self.lesson, student=self.student, code="b")
        Homework.objects.create(lesson=self.lesson, text="Задание второй школы")
        PeriodMark.objects.create(
            school=other,
            year=year,
            student=self.student,
            subject=subject,
            kind=PeriodMarkKind.PERIOD,
            period=period,
            value="5",
            comment="Комментарий второй школы",
        )
        stray_work = Mark.objects.filter(student__school=arw.w.school).first().work
        Mark.objects.create(
            work=stray_work, student=self.student, value="4", comment="Комментарий второй школы"
        )


@pytest.fixture
def two_schools(arw, media):
    return arw, SecondSchool(arw)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _start(client, capture):
    with capture(execute=True):
        return client.post(reverse("archive:export_start"))


def _files(response) -> dict[str, list[list[str]]]:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: list(
                csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";")
            )
            for name in archive.namelist()
        }


@time_machine.travel(NOW, tick=False)
def test_export_of_a_school_holds_its_data_and_nothing_of_another_school(
    two_schools, client_for, immediate_tasks, django_capture_on_commit_callbacks
):
    arw, second = two_schools
    client = client_for("director")
    response = _start(client, django_capture_on_commit_callbacks)
    export = SchoolExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "archive:export", args=[export.pk]
    )
    assert export.status == "done", export.error
    assert export.done == export.total == len(school_export.KINDS)
    page = client.get(reverse("archive:export", args=[export.pk])).content.decode()
    assert "Скачать выгрузку (ZIP)" in page
    files = _files(client.get(reverse("archive:export_file", args=[export.pk])))

    assert set(files) == {name for name, _, _ in school_export.KINDS}
    text = "\n".join(";".join(row) for rows in files.values() for row in rows)
    for marker in SCHOOL_2:
        assert marker not in text, marker
    ids = {row[0] for row in files["pupils.csv"][1:]}
    assert str(second.student.pk) not in ids
    assert str(second.lesson.pk) not in {row[0] for row in files["lessons.csv"][1:]}
    # The school's own data is all there: pupils, topics, every mark, absences, homework.
    assert ids == {str(s.pk) for s in arw.students} | {str(arw.w.other_child.pk)}
    for topic in arw.topics:
        assert topic in text
    assert len(files["marks.csv"]) - 1 == len(arw.marks)
    assert len(files["period_marks.csv"]) - 1 == len(arw.period_marks)
    assert len(files["attendance.csv"]) - 1 == 1
    assert "Задачи стр. 40" in text and "5А" in text
    # A pupil known by a code: the code, never the real name or the birth date.
    coded = arw.students[-1]
    assert "Ученик-К7" in text and arw.real_name_of_coded not in text
    assert [row for row in files["pupils.csv"] if row[0] == str(coded.pk)][0][2] == ""

    actions = list(
        AuditEvent.objects.filter(object_id=str(export.pk)).values_list("action", "school_id")
    )
    assert ("archive.school_export_started", arw.w.school.pk) in actions
    assert ("archive.school_export_downloaded", arw.w.school.pk) in actions


@pytest.mark.parametrize("role", [*WORLD_ROLES, "anonymous"])
def test_only_the_schools_administrator_and_director_export(
    two_schools, client_for, role, immediate_tasks, django_capture_on_commit_callbacks
):
    arw, _ = two_schools
    own = SchoolExport.objects.create(
        school=arw.w.school,
        created_by=arw.w.users["admin"],
        created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    client = client_for(role)
    response = _start(client, django_capture_on_commit_callbacks)
    created = SchoolExport.objects.exclude(pk=own.pk)
    if role in EXPORTERS:
        assert response.status_code == 302 and created.get().school == arw.w.school
    elif role == "outsider":  # the administrator of school 2 exports school 2 only
        assert response.status_code == 302 and created.get().school == arw.w.other_school
    else:
        assert response.status_code in (302, 404) and not created.exists()
        if role == "anonymous":
            assert "/login" in response["Location"]
    for url in ("archive:export", "archive:export_file"):
        response = client.get(reverse(url, args=[own.pk]))
        if role in EXPORTERS:
            assert response.status_code in (200, 302)
        elif role == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"]
        else:
            assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="archive.school_export_downloaded").exists()


def test_three_exports_an_hour_per_school(
    two_schools, client_for, immediate_tasks, django_capture_on_commit_callbacks
):
    arw, _ = two_schools
    with time_machine.travel(NOW, tick=False):
        admin, director = client_for("admin"), client_for("director")
        for client in (admin, director, admin):
            assert _start(client, django_capture_on_commit_callbacks).status_code == 302
        response = _start(director, django_capture_on_commit_callbacks)
        assert response.status_code == 302
        page = director.get(response["Location"]).content.decode()
        assert "не чаще 3 раз в час" in page and "Следующую можно начать в 11:00" in page
        assert SchoolExport.objects.filter(school=arw.w.school).count() == 3
        assert (
            "Выгрузить данные школы"
            not in director.get(reverse("archive:exports")).content.decode()
        )
        # Another school's limit is its own.
        assert _start(client_for("outsider"), django_capture_on_commit_callbacks).status_code == 302
        assert SchoolExport.objects.filter(school=arw.w.other_school).count() == 1
    with time_machine.travel("2026-11-25 11:00:01 +0300", tick=False):
        assert _start(client_for("admin"), django_capture_on_commit_callbacks).status_code == 302
        assert SchoolExport.objects.filter(school=arw.w.school).count() == 4


def test_a_failed_export_shows_no_server_paths(two_schools, monkeypatch):
    arw, _ = two_schools
    export = school_export.school_export_start(actor=arw.w.users["admin"], school=arw.w.school)

    def broken(school):
        raise OSError("[Errno 28] No space left on device: '/srv/ejournal/data/files/x.zip'")

    name, header, _ = school_export.KINDS[0]
    monkeypatch.setattr(school_export, "KINDS", ((name, header, broken),))
    export = school_export.school_export_run(export_id=export.pk)
    assert export.status == "failed"
    assert "/srv" not in export.error and "x.zip" in export.error


def test_export_pages_take_a_constant_number_of_queries(
    two_schools, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    arw, _ = two_schools
    client = client_for("admin")

    def add(n):
        for _ in range(n):
            SchoolExport.objects.create(
                school=arw.w.school,
                created_by=arw.w.users["director"],
                created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                status="done",
            )

    add(1)
    first = SchoolExport.objects.get()
    urls = [reverse("archive:exports"), reverse("archive:export", args=[first.pk])]
    for url in urls:
        client.get(url)
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    add(10)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
