"""Archive pages: who can open each, what the forms do, and constant query counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ejournal.archive import backups, services
from ejournal.archive.models import ArchiveRecord, Backup, PrintJob, UsageEntry
from ejournal.archive.tests.conftest import pdf_text
from ejournal.testing.world import WORLD_ROLES

AFTER_GRACE = "2027-01-03 12:00 +0300"

ALL_ROLES = list(WORLD_ROLES)
READERS = {"admin", "director", "deputy"}


@pytest.fixture
def archived(arw, media):
    with time_machine.travel(AFTER_GRACE, tick=False):
        arw.close_q2()
        records = services.archive_create(
            actor=arw.w.users["deputy"], school_class=arw.school_class, period=arw.q2
        )
    backup = Backup.objects.create(
        created_at=records[0].created_at,
        engine="sqlite",
        path="/nonexistent/backup.tar.gz",
        size=1,
        sha256="0" * 64,
        manifest_sha256="0" * 64,
        keep_until="2031-01-01",
        school=arw.w.school,
    )
    job = PrintJob.objects.create(
        school=arw.w.school, year=arw.w.year, created_by=arw.w.users["deputy"], total=2
    )
    return arw, records, backup, job


@pytest.fixture
def root(world):
    """The deployment's administrator: a Django superuser without any school role."""
    from django.test import Client

    from ejournal.testing import factories as f

    client = Client()
    client.force_login(f.UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def _get_urls(archived):
    _, records, _, job = archived
    return {
        "index": reverse("archive:index"),
        "record": reverse("archive:record", args=[records[0].pk]),
        "verify": reverse("archive:verify"),
        "backups": reverse("archive:backups"),
        "job": reverse("archive:job", args=[job.pk]),
    }


@time_machine.travel(AFTER_GRACE, tick=False)
@pytest.mark.parametrize("page", ["index", "record", "verify", "backups", "job"])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_can_open_each_page(archived, client_for, page, role):
    response = client_for(role).get(_get_urls(archived)[page])
    # «outsider» administers another school: its own archive pages open, empty of ours.
    own_school_pages = {"index", "verify", "backups"}
    allowed = role in READERS or (role == "outsider" and page in own_school_pages)
    allowed = allowed or (page == "backups" and role in {"hr", "operator"})
    assert response.status_code == (200 if allowed else 404)
    if role == "outsider" and allowed:
        assert archived[1][0].title not in response.content.decode()


@pytest.mark.parametrize("page", ["index", "record", "verify", "backups", "job"])
def test_anonymous_is_sent_to_sign_in(archived, client_for, page):
    response = client_for("anonymous").get(_get_urls(archived)[page])
    assert response.status_code == 302
    assert "/login" in response["Location"]


@time_machine.travel(AFTER_GRACE, tick=False)
@pytest.mark.parametrize("role", ALL_ROLES + ["anonymous"])
def test_printing_a_copy_is_for_readers_and_logged(archived, client_for, role):
    arw = archived[0]
    response = client_for(role).post(
        reverse("archive:print"),
        {"class_id": arw.school_class.pk, "period": f"p{arw.q2.pk}", "purpose": "на подпись"},
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role not in READERS:
        assert response.status_code == 404
        assert not UsageEntry.objects.exists()
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Дроби урок 1" in pdf_text(response.content)
    entry = UsageEntry.objects.get()
    assert entry.purpose == "на подпись" and entry.kind == "paper"


def test_printing_without_a_purpose_changes_nothing(archived, client_for):
    arw = archived[0]
    response = client_for("deputy").post(
        reverse("archive:print"),
        {"class_id": arw.school_class.pk, "period": f"p{arw.q2.pk}", "purpose": ""},
        follow=True,
    )
    assert "Укажите цель печати" in response.content.decode()
    assert not UsageEntry.objects.exists()


def test_printing_another_schools_class_is_404(archived, client_for):
    arw = archived[0]
    response = client_for("outsider").post(
        reverse("archive:print"),
        {"class_id": arw.school_class.pk, "period": "year", "purpose": "x"},
    )
    assert response.status_code == 404


@time_machine.travel(AFTER_GRACE, tick=False)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_deputy_archives_through_the_page(archived, client_for, role):
    arw = archived[0]
    response = client_for(role).post(
        reverse("archive:create"), {"class_id": arw.school_class.pk, "period": f"p{arw.q2.pk}"}
    )
    if role == "deputy":
        assert response.status_code == 302
        assert ArchiveRecord.objects.count() == 4
    else:
        assert response.status_code == 404
        assert ArchiveRecord.objects.count() == 2


@time_machine.travel(AFTER_GRACE, tick=False)
def test_archiving_an_open_period_shows_why(archived, client_for):
    arw = archived[0]
    q1 = arw.q2.band.periods.get(number=1)
    response = client_for("deputy").post(
        reverse("archive:create"),
        {"class_id": arw.school_class.pk, "period": f"p{q1.pk}"},
        follow=True,
    )
    assert "ещё не закрыт" in response.content.decode()
    assert ArchiveRecord.objects.count() == 2


@time_machine.travel(AFTER_GRACE, tick=False)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_downloading_an_archived_pdf(archived, client_for, role):
    _, records, _, _ = archived
    response = client_for(role).post(
        reverse("archive:record_pdf", args=[records[0].pk]), {"purpose": "проверка"}
    )
    assert response.status_code == (200 if role in READERS else 404)
    assert UsageEntry.objects.count() == (1 if role in READERS else 0)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_backup_check_and_usage_log_permissions(archived, client_for, role):
    _, _, backup, _ = archived
    # A check restores the whole deployment's copy: no school role may start one.
    response = client_for(role).post(reverse("archive:backup_check", args=[backup.pk]))
    assert response.status_code == 404
    backup.refresh_from_db()
    assert backup.last_check_at is None
    response = client_for(role).post(
        reverse("archive:usage"),
        {"backup": backup.pk, "taken_by": "Иванова И.И.", "purpose": "проверка управлением"},
    )
    keepers = READERS | {"hr", "operator"}
    assert response.status_code == (302 if role in keepers else 404)
    assert UsageEntry.objects.filter(backup=backup).count() == (1 if role in keepers else 0)


def test_the_deployment_administrator_checks_a_backup_without_server_paths(archived, root):
    _, _, backup, _ = archived
    response = root.post(reverse("archive:backup_check", args=[backup.pk]), follow=True)
    backup.refresh_from_db()
    assert backup.last_check_ok is False  # the file is missing: reported, not hidden
    assert "не найден: backup.tar.gz" in backup.last_check_message
    assert "/nonexistent" not in response.content.decode()
    assert "/nonexistent" not in backup.last_check_message


@pytest.mark.parametrize("page", ["backups", "server_backups"])
def test_backup_pages_show_no_server_paths(archived, client_for, root, page):
    client = root if page == "server_backups" else client_for("deputy")
    content = client.get(reverse(f"archive:{page}")).content.decode()
    assert "Резервная копия от" in content or "SHA-256" in content
    assert "/nonexistent" not in content and "backup.tar.gz" not in content


def test_usage_entry_without_a_purpose_is_refused(archived, client_for):
    response = client_for("deputy").post(
        reverse("archive:usage"), {"item": "журнал 5А", "taken_by": "", "purpose": ""}, follow=True
    )
    content = response.content.decode()
    assert "Укажите, кто получил копию" in content and "Укажите цель выдачи" in content
    assert not UsageEntry.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_school_roles_cannot_take_a_backup_of_the_deployment(archived, client_for, role):
    # Issue #22: an operator (or any school administrator) started backups of every
    # school's data, without limit.
    for url in ("archive:backup_create", "archive:server_backups"):
        response = client_for(role).post(reverse(url), {"note": "вручную"})
        assert response.status_code == 404
    assert not Backup.objects.filter(note="вручную").exists()


@pytest.mark.django_db(transaction=True)
def test_the_deployment_administrator_takes_backups_within_the_limit(archived, root, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "backup": "2/3600"}
    for _ in range(2):
        response = root.post(reverse("archive:backup_create"), {"note": "вручную"}, follow=True)
        content = response.content.decode()
        assert "записана в реестр" in content
        assert settings.DATA_DIR.as_posix() not in content and ".tar.gz" not in content
    taken = list(Backup.objects.filter(note="вручную"))
    assert len(taken) == 2
    assert all(b.school is None and b.created_by.username == "root" for b in taken)
    assert backups.read_verified(Path(taken[0].path))["engine"]
    # The limit counts for the deployment: a third one (or a check) in the hour is refused.
    response = root.post(reverse("archive:backup_create"), {"note": "вручную"}, follow=True)
    assert "не чаще" in response.content.decode()
    response = root.post(reverse("archive:backup_check", args=[taken[0].pk]), follow=True)
    assert "не чаще" in response.content.decode()
    assert Backup.objects.filter(note="вручную").count() == 2
    assert Backup.objects.get(pk=taken[0].pk).last_check_at is None


@pytest.mark.parametrize("role", ["admin", "deputy", "director", "teacher", "parent"])
def test_school_print_runs_in_the_background_with_progress(
    archived, client_for, role, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    arw = archived[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(role).post(
            reverse("archive:school_print"), {"period": f"p{arw.q2.pk}"}
        )
    if role not in READERS:
        assert response.status_code == 404
        return
    assert response.status_code == 302
    job = PrintJob.objects.exclude(pk=archived[3].pk).get()
    assert job.status == "done", job.error
    assert job.done == job.total == 2  # 5А and 6Б
    page = client_for(role).get(reverse("archive:job", args=[job.pk]))
    assert "100%" in page.content.decode()
    pdf = client_for(role).get(reverse("archive:job_file", args=[job.pk]))
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "5А класс" in text and "6Б класс" in text


def test_the_record_page_shows_changes_against_the_archived_copy(archived, client_for):
    arw, records, _, _ = archived
    from ejournal.attestation.models import PeriodMark

    PeriodMark.objects.filter(student=arw.students[0], subject=arw.w.subject).update(value="5")
    content = client_for("director").get(reverse("archive:record", args=[records[0].pk])).content
    text = content.decode()
    assert "Изменения после архивирования" in text
    assert arw.students[0].full_name in text and "контрольные суммы совпадают" in text


def _more_backup(like: Backup, i: int, **extra) -> Backup:
    return Backup.objects.create(
        created_at=like.created_at,
        engine="sqlite",
        path=f"/x/{i}",
        size=1,
        sha256="1" * 64,
        manifest_sha256="1" * 64,
        keep_until="2031-01-01",
        **extra,
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(AFTER_GRACE, tick=False)
def test_pages_take_a_constant_number_of_queries(archived, client_for, django_assert_num_queries):
    arw, records, backup, job = archived
    client = client_for("deputy")
    urls = _get_urls(archived)
    for url in urls.values():  # warm-up: the first request of a session does extra work
        client.get(url)
    counts = {name: _count(client, url) for name, url in urls.items()}
    # More classes, students, archive records, backups and usage lines.
    from ejournal.testing import factories as f

    for letter in "ВГД":
        f.ClassFactory(school=arw.w.school, year=arw.w.year, grade=5, letter=letter)
    for i in range(10):
        student = f.StudentFactory(school=arw.w.school, last_name=f"Новый{i:02d}")
        f.enroll(student, arw.school_class)
    services.archive_create(
        actor=arw.w.users["deputy"], school_class=arw.school_class, period=arw.q2
    )
    for i in range(3):
        _more_backup(backup, i, school=arw.w.school)
        services.usage_record(
            actor=arw.w.users["deputy"],
            school=arw.w.school,
            backup=None,
            item=f"журнал {i}",
            taken_by="Петров",
            purpose="проверка",
        )
    for name, url in urls.items():
        with django_assert_num_queries(counts[name]):
            assert client.get(url).status_code == 200, name


def test_the_server_backups_page_takes_a_constant_number_of_queries(
    archived, root, django_assert_num_queries
):
    url = reverse("archive:server_backups")
    root.get(url)
    count = _count(root, url)
    backup = archived[2]
    for i in range(5):
        _more_backup(backup, i, created_by=archived[0].w.users["deputy"])
    with django_assert_num_queries(count):
        assert root.get(url).status_code == 200
