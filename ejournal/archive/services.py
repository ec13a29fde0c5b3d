"""Writes of the archive: printed copies (logged), archive records of closed periods,
their verification and comparison with the live journal, the usage log, and the
retention purge that refuses to delete anything before its term."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ejournal.accounts.models import Role
from ejournal.archive import conf, printing
from ejournal.archive.backups import without_paths
from ejournal.archive.models import (
    ArchiveKind,
    ArchiveRecord,
    Backup,
    PrintJob,
    PrintJobStatus,
    UsageEntry,
    UsageKind,
)
from ejournal.attestation.models import PeriodClosure, PeriodMarkCorrection
from ejournal.attestation.permissions import user_holds
from ejournal.audit import services as audit
from ejournal.audit.models import AuditEvent
from ejournal.journal.models import CorrectionRequest, CorrectionStatus
from ejournal.school.models import SchoolClass, StudyPeriod
from ejournal.school.selectors import school_today

logger = logging.getLogger(__name__)

ARCHIVISTS = frozenset({Role.DEPUTY})
PRINTERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})
# 001 §3.3: the HR specialist keeps the register of paper and backup copies and the log of
# their use. Backups themselves hold every school of the deployment: only its administrator
# takes and checks them (backups.is_deployment_admin); a school exports its own data
# (school_export.py).
REGISTER_KEEPERS = PRINTERS | {Role.HR, Role.OPERATOR}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)


def _ensure(actor, school, roles, what: str) -> None:
    if not user_holds(actor, school, roles):
        raise ValidationError(f"Недостаточно прав: {what}.")


# --- Printed copies ---------------------------------------------------------------------


def copy_print(
    *, actor, school_class: SchoolClass, period: StudyPeriod | None, purpose: str
) -> bytes:
    """A paper copy of a class journal; who printed it and why goes to the usage log."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError("Укажите цель печати: она записывается в журнал пользования копиями.")
    school = school_class.school
    _ensure(actor, school, PRINTERS, "печать бумажной копии журнала")
    scope = printing.scope_for(school_class=school_class, period=period)
    data = printing.journal_copy_data(scope=scope)
    pdf = printing.render_copy(data)
    item = f"Классный журнал {school_class}, {scope.label}"
    with transaction.atomic():
        _log_use(
            actor=actor,
            school=school,
            kind=UsageKind.PAPER,
            item=item,
            taken_by=_name_of(actor),
            purpose=purpose,
        )
        audit.record(
            action="archive.copy_printed",
            actor=actor,
            school=school,
            obj=school_class,
            after={"copy": item, "purpose": purpose},
        )
    return pdf


def _name_of(user) -> str:
    return (user.get_full_name() or user.username)[:200]


def _log_use(*, actor, school, kind: str, item: str, taken_by: str, purpose: str, **links):
    """One line of the usage log (001 §3.3); call inside the write's transaction."""
    return UsageEntry.objects.create(
        school=school,
        kind=kind,
        item=item[:300],
        taken_by=taken_by[:200],
        purpose=purpose[:500],
        recorded_by=actor,
        recorded_at=timezone.now(),
        **links,
    )


# --- Archive records ------------------------------------------------------------------


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


# --- Comparison with the live journal -------------------------------------------------------


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


# --- Usage log -----------------------------------------------------------------------------


def usage_record(
    *, actor, school, backup: Backup | None, item: str, taken_by: str, purpose: str
) -> UsageEntry:
    """A line of the usage log: who took which backup or paper copy and why."""
    taken_by, purpose, item = (
        (taken_by or "").strip(),
        (purpose or "").strip(),
        (item or "").strip(),
    )
    errors = []
    if backup is None and not item:
        errors.append("Укажите, какая копия выдана.")
    if not taken_by:
        errors.append("Укажите, кто получил копию.")
    if not purpose:
        errors.append("Укажите цель выдачи.")
    if errors:
        raise ValidationError(errors)
    _ensure(actor, school, REGISTER_KEEPERS, "ведение журнала пользования копиями")
    with transaction.atomic():
        entry = _log_use(
            actor=actor,
            school=school,
            kind=UsageKind.BACKUP if backup else UsageKind.PAPER,
            item=str(backup) if backup else item,
            taken_by=taken_by,
            purpose=purpose,
            backup=backup,
        )
        audit.record(
            action="archive.usage_recorded",
            actor=actor,
            school=school,
            obj=entry,
            after={"item": entry.item, "taken_by": entry.taken_by, "purpose": entry.purpose},
        )
    return entry


# --- Retention -------------------------------------------------------------------------


def _refuse_early(keep_until: dt.date, today: dt.date, what: str) -> None:
    if today <= keep_until:
        raise ValidationError(
            f"{what} хранится до {keep_until:%d.%m.%Y} включительно: удалить раньше нельзя."
        )


def record_purge(*, actor, record: ArchiveRecord, today: dt.date) -> None:
    """Delete one archive record whose retention term is over (never earlier)."""
    _refuse_early(record.keep_until, today, f"Архивная запись «{record.title}»")
    name = record.pdf.name
    with transaction.atomic():
        audit.record(
            action="archive.record_purged",
            actor=actor,
            school=record.school,
            obj=record,
            before={
                "title": record.title,
                "pdf": record.pdf_sha256,
                "keep_until": record.keep_until,
            },
        )
        ArchiveRecord.objects.filter(pk=record.pk)._purge()
        transaction.on_commit(lambda: record.pdf.storage.delete(name) if name else None)


def backup_purge(*, actor, backup: Backup, today: dt.date) -> None:
    """Delete one backup (its register line stays, marked) whose term is over."""
    _refuse_early(backup.keep_until, today, str(backup))
    path = Path(backup.path)
    with transaction.atomic():
        audit.record(
            action="archive.backup_purged",
            actor=actor,
            school=backup.school_id,
            obj=backup,
            before={"file": path.name, "sha256": backup.sha256},
        )
        backup.delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def purge_expired(*, actor, today: dt.date) -> tuple[int, int]:
    """Everything whose term is over: (archive records, backups) deleted."""
    records = list(ArchiveRecord.objects.filter(keep_until__lt=today).select_related("school"))
    backups = list(Backup.objects.filter(keep_until__lt=today))
    for record in records:
        record_purge(actor=actor, record=record, today=today)
    for backup in backups:
        backup_purge(actor=actor, backup=backup, today=today)
    return len(records), len(backups)


# --- School-wide print ---------------------------------------------------------------------


def print_job_start(*, actor, school, year, period: StudyPeriod | None) -> PrintJob:
    _ensure(actor, school, PRINTERS, "печать журналов школы")
    classes = len(_classes_to_print(school, year, period))
    with transaction.atomic():
        job = PrintJob.objects.create(
            school=school, year=year, period=period, created_by=actor, total=classes
        )
        audit.record(
            action="archive.school_print_started",
            actor=actor,
            school=school,
            obj=job,
            after={"period": period.name if period else str(year), "classes": classes},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from ejournal.archive import tasks

    tasks.print_school.enqueue(job_id)


def print_job_run(*, job_id: int) -> PrintJob:
    """Print every class of the job's school one by one, saving progress after each."""
    job = PrintJob.objects.select_related("school", "year", "period").get(pk=job_id)
    job.status = PrintJobStatus.RUNNING
    job.save(update_fields=["status"])
    try:
        classes = _classes_to_print(job.school, job.year, job.period)
        job.total = len(classes)
        copies = []
        for school_class in classes:
            scope = printing.scope_for(school_class=school_class, period=job.period)
            copies.append(printing.journal_copy_data(scope=scope))
            job.done += 1
            job.save(update_fields=["done", "total"])
        pdf = printing.render_school(copies)
        job.file.save(f"school-{job.pk}.pdf", ContentFile(pdf), save=False)
        job.status = PrintJobStatus.DONE
    except Exception as exc:  # the page shows the failure instead of a stuck job
        logger.exception("school print job %s failed", job.pk)
        job.status = PrintJobStatus.FAILED
        job.error = without_paths(str(exc))[:2000]
    job.finished_at = timezone.now()
    job.save()
    return job


def _classes_to_print(school, year, period: StudyPeriod | None) -> list[SchoolClass]:
    """The year's classes; for a period, those of the grades its band covers."""
    classes = (
        SchoolClass.objects.filter(school=school, year=year)
        .select_related("school", "year", "homeroom_teacher")
        .order_by("grade", "letter")
    )
    if period is not None:
        classes = classes.filter(grade__gte=period.band.grade_from, grade__lte=period.band.grade_to)
    return list(classes)
