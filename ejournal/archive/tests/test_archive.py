"""Archive records: made by the deputy for closed periods only, immutable, verified by
checksums for their whole life, compared with the journal after approved corrections,
and never purged before their retention term."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from ejournal.archive import conf, services
from ejournal.archive.models import ArchiveKind, ArchiveRecord, ImmutableRecordError, UsageEntry
from ejournal.attestation import selectors as attestation_selectors
from ejournal.attestation import services as attestation_services
from ejournal.audit.models import AuditEvent
from ejournal.journal.corrections import correction_decide
from ejournal.journal.models import CorrectionStatus

AFTER_GRACE = "2027-01-03 12:00 +0300"


def _archive(arw):
    arw.close_q2()
    return services.archive_create(
        actor=arw.w.users["deputy"], school_class=arw.school_class, period=arw.q2
    )


@time_machine.travel(AFTER_GRACE, tick=False)
def test_deputy_archives_a_closed_period_with_checksums_and_chain_position(arw, media):
    last = AuditEvent.objects.filter(school=arw.w.school).order_by("-seq").first()
    journal, summary = _archive(arw)
    assert journal.kind == ArchiveKind.JOURNAL and summary.kind == ArchiveKind.SUMMARY
    for record in (journal, summary):
        assert len(record.pdf_sha256) == 64 and len(record.data_sha256) == 64
        assert record.pdf.read().startswith(b"%PDF")
        assert record.created_by == arw.w.users["deputy"]
        assert record.audit_seq == (last.seq if last else 0)
    data = json.loads(journal.data)
    assert {s["name"] for s in data["students"]} == {s.full_name for s in arw.students}
    assert journal.keep_until == dt.date(2032, 5, 31)  # year end + 5 years
    assert summary.keep_until == dt.date(2052, 5, 31)  # year end + 25 years
    assert AuditEvent.objects.filter(action="archive.created").count() == 1
    assert all(v.ok for v in services.archive_verify(records=[journal, summary]))


@time_machine.travel(AFTER_GRACE, tick=False)
def test_an_open_period_is_not_archived(arw, media):
    with pytest.raises(ValidationError, match="ещё не закрыт"):
        services.archive_create(
            actor=arw.w.users["deputy"], school_class=arw.school_class, period=arw.q2
        )
    with pytest.raises(ValidationError, match="последнего периода"):
        services.archive_create(
            actor=arw.w.users["deputy"], school_class=arw.school_class, period=None
        )
    assert not ArchiveRecord.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "admin", "director", "homeroom", "outsider"])
@time_machine.travel(AFTER_GRACE, tick=False)
def test_only_the_deputy_archives(arw, media, role):
    arw.close_q2()
    with pytest.raises(ValidationError, match="заместитель директора"):
        services.archive_create(
            actor=arw.w.users[role], school_class=arw.school_class, period=arw.q2
        )
    assert not ArchiveRecord.objects.exists()


@time_machine.travel(AFTER_GRACE, tick=False)
def test_records_cannot_be_changed_or_deleted(arw, media):
    journal, _ = _archive(arw)
    journal.title = "другое"
    with pytest.raises(ImmutableRecordError):
        journal.save()
    with pytest.raises(ImmutableRecordError):
        journal.delete()
    with pytest.raises(ImmutableRecordError):
        ArchiveRecord.objects.filter(pk=journal.pk).update(title="x")
    with pytest.raises(ImmutableRecordError):
        ArchiveRecord.objects.all().delete()
    assert ArchiveRecord.objects.count() == 2


@time_machine.travel(AFTER_GRACE, tick=False)
def test_archive_verify_detects_a_byte_changed_in_the_file_or_the_data(arw, media, capsys):
    journal, summary = _archive(arw)
    call_command("archive_verify")
    assert "расхождений нет" in capsys.readouterr().out

    path = Path(journal.pdf.path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    # Bypass the model guard the way a direct database edit would.
    from django.db import connection

    with connection.cursor() as cursor:
        table = ArchiveRecord._meta.db_table
        cursor.execute(
            f"UPDATE {table} SET data = replace(data, '\"5А\"', '\"5Б\"') WHERE id = %s",  # noqa: S608
            [summary.pk],
        )
    with pytest.raises(CommandError, match="с расхождениями: 2"):
        call_command("archive_verify")
    out = capsys.readouterr().out
    assert f"[{journal.pk}]" in out and "файл PDF изменён" in out
    assert f"[{summary.pk}]" in out and "данные записи изменены" in out


@time_machine.travel(AFTER_GRACE, tick=False)
def test_a_broken_audit_link_is_reported(arw, media):
    from ejournal.audit import services as audit

    audit.record(action="test.event", school=arw.w.school)
    journal, _ = _archive(arw)
    assert journal.audit_seq >= 1
    AuditEvent.objects.filter(chain=journal.audit_chain, seq=journal.audit_seq).update(
        hash="0" * 64
    )
    (result,) = services.archive_verify(records=[journal])
    assert "цепочки аудита" in result.problems[0]


@time_machine.travel(AFTER_GRACE, tick=False)
def test_an_approved_correction_after_archiving_is_shown_against_the_copy(arw, media):
    journal, summary = _archive(arw)
    assert services.record_compare(record=journal).changes == []
    target = attestation_selectors.target_for(year=arw.w.year, grade=5, slug=f"p{arw.q2.pk}")
    student = arw.students[0]
    correction = attestation_services.period_mark_correction_create(
        actor=arw.w.users["teacher"],
        staff=arw.teacher,
        group=arw.w.group,
        subject=arw.w.subject,
        target=target,
        student=student,
        value="5",
        comment="пересдана контрольная",
        reason="ошибка при выставлении",
    )
    correction_decide(
        actor=arw.w.users["deputy"],
        correction=correction,
        status=CorrectionStatus.APPROVED,
        apply=attestation_services.period_mark_correction_apply,
    )
    comparison = services.record_compare(record=journal)
    assert [(c.archived, c.current) for c in comparison.changes] == [("4", "5"), ("4", "5")]
    assert any("Математика · " + student.full_name in c.where for c in comparison.changes)
    assert any("ошибка при выставлении" in line for line in comparison.corrections)
    # The archived record itself is untouched and still verifies.
    assert services.archive_verify(records=[journal, summary])[0].ok
    # Archiving again makes a second version; the first stays.
    records = services.archive_create(
        actor=arw.w.users["deputy"], school_class=arw.school_class, period=arw.q2
    )
    assert {r.version for r in records} == {2}
    assert ArchiveRecord.objects.count() == 4


@time_machine.travel(AFTER_GRACE, tick=False)
def test_nothing_is_purged_before_its_term(arw, media):
    journal, summary = _archive(arw)
    today = dt.date(2027, 1, 3)
    with pytest.raises(ValidationError, match="удалить раньше нельзя"):
        services.record_purge(actor=None, record=journal, today=journal.keep_until)
    assert services.purge_expired(actor=None, today=today) == (0, 0)
    with pytest.raises(CommandError, match="хранится до 31.05.2032"):
        call_command("archive_purge", record=journal.pk)
    assert ArchiveRecord.objects.count() == 2
    # After the journal's five years it goes; the summary sheet stays for 25.
    later = journal.keep_until + dt.timedelta(days=1)
    assert services.purge_expired(actor=None, today=later) == (1, 0)
    assert list(ArchiveRecord.objects.all()) == [summary]
    assert AuditEvent.objects.filter(action="archive.record_purged").count() == 1


def test_retention_terms_follow_the_settings(settings):
    assert conf.retention_years("journal") == 5
    assert conf.retention_years("summary") == 25
    settings.EJOURNAL_RETENTION_JOURNAL_YEARS = 10
    assert conf.retention_years("journal") == 10
    assert conf.add_years(dt.date(2028, 2, 29), 5) == dt.date(2033, 2, 28)


@time_machine.travel(AFTER_GRACE, tick=False)
def test_downloading_an_archived_copy_is_logged_with_its_purpose(arw, media):
    journal, _ = _archive(arw)
    with pytest.raises(ValidationError, match="Укажите цель"):
        services.record_download(actor=arw.w.users["director"], record=journal, purpose=" ")
    pdf = services.record_download(
        actor=arw.w.users["director"], record=journal, purpose="проверка управлением"
    )
    assert pdf.startswith(b"%PDF")
    entry = UsageEntry.objects.get()
    assert entry.record == journal and entry.purpose == "проверка управлением"


@pytest.mark.django_db(transaction=True)
def test_demo_step_archives_a_closed_period_of_5a(media):
    import random

    from ejournal.demo.builder.archive import create_archive_demo
    from ejournal.demo.builder.context import DemoBuild, DemoOptions
    from ejournal.testing.world import build_world

    from .conftest import ArchiveWorld

    with time_machine.travel(AFTER_GRACE, tick=False):
        world = build_world()
        ArchiveWorld(world).close_q2()
        build = DemoBuild(options=DemoOptions(), today=dt.date(2027, 1, 3), rng=random.Random(1))
        build.school, build.year, build.classes = world.school, world.year, [world.school_class]
        create_archive_demo(build)
    assert {r.kind for r in ArchiveRecord.objects.all()} == {"journal", "summary"}
    assert "backup" not in build.facts["archive"]  # never from a test database
