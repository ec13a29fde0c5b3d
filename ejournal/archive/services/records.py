"""Archive records of closed periods: creating, verifying against the audit chain,
downloading and comparing with the live journal."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ejournal.archive import conf, printing
from ejournal.archive.models import (
    ArchiveKind,
    ArchiveRecord,
    UsageKind,
)
from ejournal.archive.services._common import (
    ARCHIVISTS,
    PRINTERS,
    _ensure,
    _log_use,
    _name_of,
    canonical_json,
    sha256,
)
from ejournal.attestation.models import PeriodClosure, PeriodMarkCorrection
from ejournal.audit import services as audit
from ejournal.audit.models import AuditEvent
from ejournal.journal.models import CorrectionRequest, CorrectionStatus
from ejournal.school.models import SchoolClass, StudyPeriod
from ejournal.school.selectors import school_today


def _closed(school_class: SchoolClass, period: StudyPeriod | None) -> tuple[bool, str]:
    scope = printing.scope_for(school_class=school_class, period=period)
    if not scope.periods:
        return False, "Для параллели класса не заданы учебные периоды."
    window = period or scope.periods[-1]
    closed = PeriodClosure.objects.filter(period=window, is_closed=True).exists()
    if closed:
        return True, ""
    if period is None:
        return False, f"Учебный год архивируется после закрытия последнего периода ({window.name})."
    return False, f"Период «{period.name}» ещё не закрыт: архивируются только закрытые периоды."


def archive_create(
    *, actor, school_class: SchoolClass, period: StudyPeriod | None
) -> list[ArchiveRecord]:
    """Freeze the journal copy and the summary sheet of a closed period (or year)."""
    school = school_class.school
    _ensure(actor, school, ARCHIVISTS, "архивировать может заместитель директора")
    if period is not None and period.band.year_id != school_class.year_id:
        raise ValidationError("Период не относится к учебному году класса.")
    ok, reason = _closed(school_class, period)
    if not ok:
        raise ValidationError(reason)
    scope = printing.scope_for(school_class=school_class, period=period)
    today = school_today(school)
    documents = [
        (ArchiveKind.JOURNAL, printing.journal_copy_data(scope=scope, printed=today), "journal"),
        (ArchiveKind.SUMMARY, printing.summary_copy_data(scope=scope, printed=today), "summary"),
    ]
    rendered = [(kind, data, printing.render_copy(data), term) for kind, data, term in documents]
    # The files are written before the transaction (the write lock is the whole site's on
    # SQLite) and removed again if it fails.
    suffix = "" if period is None else f"-p{period.pk}"
    stored: dict[str, str] = {}
    for kind, _, pdf, _ in rendered:
        holder = ArchiveRecord(school=school, year=school_class.year)
        holder.pdf.save(
            f"{kind}-{school_class.pk}{suffix}-{sha256(pdf)[:12]}.pdf", ContentFile(pdf), save=False
        )
        stored[kind] = holder.pdf.name or ""
    try:
        return _archive_records(
            actor=actor,
            school_class=school_class,
            period=period,
            scope=scope,
            today=today,
            rendered=rendered,
            stored=stored,
        )
    except BaseException:
        for name in stored.values():
            ArchiveRecord.pdf.field.storage.delete(name)
        raise


def _archive_records(
    *, actor, school_class, period, scope, today, rendered, stored
) -> list[ArchiveRecord]:
    school = school_class.school
    now = timezone.now()
    chain = audit.chain_for(school.pk)
    records = []
    # The link the copies print (read before they were rendered): still a link of the
    # chain when other events were added since, and the one the record is checked against.
    printed_head = rendered[0][1]["audit_head"]
    seq, last_hash = printed_head["seq"], printed_head["hash"]
    with transaction.atomic():
        for kind, data, pdf, term in rendered:
            text = canonical_json(data)
            version = (
                ArchiveRecord.objects.filter(
                    school_class=school_class, period=period, kind=kind
                ).aggregate(v=Max("version"))["v"]
                or 0
            ) + 1
            label = ArchiveKind(kind).label.capitalize()
            record = ArchiveRecord(
                school=school,
                year=school_class.year,
                school_class=school_class,
                period=period,
                kind=kind,
                title=f"{label} {school_class}, {scope.label}",
                version=version,
                pdf_sha256=sha256(pdf),
                pdf_size=len(pdf),
                data=text,
                data_sha256=sha256(text.encode("utf-8")),
                created_by=actor,
                created_at=now,
                audit_chain=chain,
                audit_seq=seq,
                audit_hash=last_hash,
                keep_until=conf.add_years(
                    max(today, school_class.year.end), conf.retention_years(term)
                ),
            )
            record.pdf.name = stored[kind]
            record.save(force_insert=True)
            records.append(record)
        audit.record(
            action="archive.created",
            actor=actor,
            school=school,
            obj=school_class,
            after={
                "records": [
                    {"id": r.pk, "title": r.title, "pdf": r.pdf_sha256, "data": r.data_sha256}
                    for r in records
                ],
                "audit_seq": seq,
            },
        )
    return records


@dataclass
class Verification:
    record: ArchiveRecord
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _pdf_bytes(record: ArchiveRecord) -> bytes | None:
    try:
        with record.pdf.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError, ValueError):
        return None


def _pdfs_in_chain(records: list[ArchiveRecord]) -> dict[int, str | None]:
    """Record id -> the PDF checksum its sealed «archive.created» event recorded (None when
    the event was altered). One query: the archiving events of the records' chains."""
    vouched: dict[int, str | None] = {}
    events = AuditEvent.objects.filter(
        chain__in={r.audit_chain for r in records}, action="archive.created"
    )
    wanted = {r.pk for r in records}
    for event in events.iterator(chunk_size=500):
        items = [i for i in (event.after or {}).get("records", []) if i.get("id") in wanted]
        if not items:
            continue
        sealed = audit.event_sealed(event)
        for item in items:
            vouched[item["id"]] = item.get("pdf") if sealed else None
    return vouched


def archive_verify(*, records) -> list[Verification]:
    """Re-check each record's checksums, its audit chain link, and its PDF against the
    checksum the chain itself recorded when it was archived: the file and the row can be
    rewritten together, the sealed event cannot without the key (two queries in all; the
    files are read from storage)."""
    records = list(records)
    links = set(
        AuditEvent.objects.filter(
            chain__in={r.audit_chain for r in records},
            seq__in={r.audit_seq for r in records},
        ).values_list("chain", "seq", "hash")
    )
    vouched = _pdfs_in_chain(records) if records else {}
    results = []
    for record in records:
        problems = []
        if sha256(record.data.encode("utf-8")) != record.data_sha256:
            problems.append("данные записи изменены: контрольная сумма не совпадает")
        pdf = _pdf_bytes(record)
        if pdf is None:
            problems.append("файл PDF не найден в хранилище")
        elif sha256(pdf) != record.pdf_sha256:
            problems.append("файл PDF изменён: контрольная сумма не совпадает")
        if record.pk not in vouched:
            problems.append("в цепочке аудита нет записи об архивировании этой копии")
        elif vouched[record.pk] is None:
            problems.append("запись об архивировании в цепочке аудита изменена")
        elif pdf is not None and sha256(pdf) != vouched[record.pk]:
            problems.append(
                "файл PDF не совпадает с контрольной суммой, записанной в цепочке аудита"
            )
        if (
            record.audit_seq
            and (record.audit_chain, record.audit_seq, record.audit_hash) not in links
        ):
            problems.append("звено цепочки аудита на момент архивирования не найдено или изменено")
        results.append(Verification(record, problems))
    return results


def record_download(*, actor, record: ArchiveRecord, purpose: str) -> bytes:
    """The archived PDF; who took it and why goes to the usage log."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError("Укажите цель: она записывается в журнал пользования копиями.")
    _ensure(actor, record.school, PRINTERS, "выдача архивной копии")
    pdf = _pdf_bytes(record)
    if pdf is None:
        raise ValidationError("Файл архивной записи не найден в хранилище.")
    with transaction.atomic():
        _log_use(
            actor=actor,
            school=record.school,
            kind=UsageKind.ARCHIVE,
            item=f"{record.title} (версия {record.version})",
            taken_by=_name_of(actor),
            purpose=purpose,
            record=record,
        )
        audit.record(
            action="archive.record_downloaded",
            actor=actor,
            school=record.school,
            obj=record,
            after={"purpose": purpose},
        )
    return pdf


def facts(data: dict) -> dict[str, str]:
    """A copy's data as «where → value» pairs, to compare two versions of it."""
    result: dict[str, str] = {}
    if data.get("kind") == "journal":
        for section in data.get("sections", []):
            title = section["subject"] + (f" ({section['group']})" if section["group"] else "")
            lessons = section["lessons"]
            for lesson in lessons:
                where = f"{title} · {lesson['full_date']}, урок {lesson['number']}"
                result[f"{where} · тема"] = lesson["topic"]
                result[f"{where} · домашнее задание"] = lesson["homework"]
                result[f"{where} · работы"] = lesson["works"]
            for row in section["rows"]:
                for lesson, cell in zip(lessons, row["cells"], strict=False):
                    key = (
                        f"{title} · {row['name']} · {lesson['full_date']}, урок {lesson['number']}"
                    )
                    result[key] = cell
                for column, value in zip(section["mark_columns"], row["finals"], strict=False):
                    result[f"{title} · {row['name']} · {column}"] = value
        summary = data.get("summary") or {}
    else:
        summary = data
    for row in summary.get("rows", []):
        for subject, cell in zip(summary.get("subjects", []), row["cells"], strict=False):
            result[f"Сводная ведомость · {row['name']} · {subject}"] = cell
        if row.get("decision"):
            result[f"Сводная ведомость · {row['name']} · решение педсовета"] = row["decision"]
    return result


@dataclass(frozen=True)
class Change:
    where: str
    archived: str
    current: str


@dataclass
class Comparison:
    changes: list[Change]
    corrections: list[str]


def record_compare(*, record: ArchiveRecord) -> Comparison:
    """What differs between the archived data and the journal now, and the approved
    corrections of the period decided after the record was made."""
    archived = json.loads(record.data)
    school_class = record.school_class
    scope = printing.scope_for(school_class=school_class, period=record.period)
    if record.kind == ArchiveKind.JOURNAL:
        current = printing.journal_copy_data(scope=scope)
    else:
        current = printing.summary_copy_data(scope=scope)
    before, after = facts(archived), facts(current)
    changes = [
        Change(key, before.get(key, ""), after.get(key, ""))
        for key in sorted(before.keys() | after.keys())
        if before.get(key, "") != after.get(key, "")
    ]
    corrections = []
    for request in (
        CorrectionRequest.objects.filter(
            lesson__group__school_class=school_class,
            lesson__date__range=(scope.start, scope.end),
            status=CorrectionStatus.APPROVED,
            decided_at__gte=record.created_at,
        )
        .select_related("lesson__subject", "decided_by")
        .order_by("decided_at")
    ):
        corrections.append(
            f"{request.decided_at:%d.%m.%Y}: {request.get_kind_display()}, "
            f"{request.lesson.subject.name}, урок {request.lesson.date:%d.%m.%Y} — {request.reason}"
        )
    for correction in (
        PeriodMarkCorrection.objects.filter(
            group__school_class=school_class,
            status="approved",
            decided_at__gte=record.created_at,
        )
        .select_related("subject")
        .order_by("decided_at")
    ):
        corrections.append(
            f"{correction.decided_at:%d.%m.%Y}: отметка за период «{correction.target_label}», "
            f"{correction.subject.name}: {correction.new_value} — {correction.reason}"
        )
    return Comparison(changes, corrections)
