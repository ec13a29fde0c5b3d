"""The archive copy and the audit chain (issue #22): the copy prints the chain's head at the
time of printing, and an archived PDF is checked against the checksum the chain itself
recorded — a file and its row rewritten together are caught."""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from ejournal.archive import services
from ejournal.archive.models import ArchiveRecord
from ejournal.archive.tests.conftest import pdf_text
from ejournal.audit import keys
from ejournal.audit import services as audit
from ejournal.audit.models import AuditChainHead, AuditEvent

AFTER_GRACE = "2027-01-03 12:00 +0300"


def _head(school) -> AuditChainHead:
    return AuditChainHead.objects.get(chain=audit.chain_for(school.pk))


@pytest.fixture
def archived(arw, media):
    with time_machine.travel(AFTER_GRACE, tick=False):
        # Something in the school's chain before the printing.
        audit.record(action="test.before_print", school=arw.w.school)
        head = _head(arw.w.school)
        arw.close_q2()
        records = services.archive_create(
            actor=arw.w.users["deputy"], school_class=arw.school_class, period=arw.q2
        )
    return arw, records, head


def test_the_archive_copy_prints_the_chain_head_at_the_time_of_printing(archived):
    arw, records, head = archived
    short = head.last_hash[:16]
    for record in records:
        text = pdf_text(record.pdf.read()).replace("\n", " ")
        assert f"звено № {head.last_seq}" in text
        assert f"HMAC {short}" in text
        assert f"ключ № {keys.current_version()}" in text
        assert (record.audit_seq, record.audit_hash) == (head.last_seq, head.last_hash)
    # The printed link is the chain's own: audit_verify confirms it, and refuses one
    # that is not there.
    call_command("audit_verify", link=[f"{head.chain}:{head.last_seq}:{short}"])
    with pytest.raises(CommandError, match="не подтверждено звеньев и файлов: 1"):
        call_command("audit_verify", link=[f"{head.chain}:{head.last_seq}:{'0' * 16}"])


def test_a_paper_copy_prints_the_head_too(arw, media):
    with time_machine.travel(AFTER_GRACE, tick=False):
        audit.record(action="test.before_print", school=arw.w.school)
        head = _head(arw.w.school)
        pdf = services.copy_print(
            actor=arw.w.users["deputy"],
            school_class=arw.school_class,
            period=arw.q2,
            purpose="проверка",
        )
    assert f"звено № {head.last_seq}" in pdf_text(pdf).replace("\n", " ")


def test_audit_verify_checks_an_archived_pdf_against_the_chain(archived, tmp_path, capsys):
    arw, records, _ = archived
    pdf = records[0].pdf.read()
    good = tmp_path / "copy.pdf"
    good.write_bytes(pdf)
    call_command("audit_verify", pdf=[good])
    assert "записан в цепочке" in capsys.readouterr().out
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pdf + b"\n% edited")
    with pytest.raises(CommandError):
        call_command("audit_verify", pdf=[forged])
    assert "НЕ ЗАПИСАН в цепочке аудита" in capsys.readouterr().out


def test_a_pdf_rewritten_with_its_row_is_caught_by_the_chain(archived):
    """The attack: replace the stored PDF and update the row's checksum to match. The row
    agrees with the file, the chain's sealed «archive.created» event does not."""
    arw, records, _ = archived
    record = records[0]
    forged = record.pdf.read() + b"\n% edited"
    storage = ArchiveRecord.pdf.field.storage
    storage.delete(record.pdf.name)
    storage.save(record.pdf.name, ContentFile(forged))
    # The model refuses updates; the attacker writes the table directly.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_archiverecord SET pdf_sha256 = %s WHERE id = %s",
            [hashlib.sha256(forged).hexdigest(), record.pk],
        )
    record = ArchiveRecord.objects.get(pk=record.pk)
    (verification,) = services.archive_verify(records=[record])
    assert verification.problems == [
        "файл PDF не совпадает с контрольной суммой, записанной в цепочке аудита"
    ]


def test_an_archiving_event_rewritten_in_the_database_is_caught(archived):
    arw, records, _ = archived
    event = AuditEvent.objects.get(action="archive.created")
    after = dict(event.after)
    after["records"] = [{**item, "pdf": "0" * 64} for item in after["records"]]
    AuditEvent.objects.filter(pk=event.pk).update(after=after)
    for verification in services.archive_verify(records=records):
        assert "запись об архивировании в цепочке аудита изменена" in verification.problems
