"""Reads of the archive pages; each runs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ejournal.archive.models import ArchiveRecord, Backup, PrintJob, SchoolExport, UsageEntry
from ejournal.attestation.models import PeriodClosure
from ejournal.school.models import AcademicYear, SchoolClass, StudyPeriod


@dataclass
class Choice:
    slug: str
    label: str
    closed: bool
    archived: int  # versions already archived (journal copies)


@dataclass
class ClassRow:
    school_class: SchoolClass
    choices: list[Choice]


def classes_for_archive(*, school, year: AcademicYear) -> list[ClassRow]:
    """Each class of the year with its periods and the year: closed? archived? (4 queries)"""
    classes = list(SchoolClass.objects.filter(school=school, year=year).order_by("grade", "letter"))
    periods = list(
        StudyPeriod.objects.filter(band__year=year).select_related("band").order_by("start")
    )
    closed = set(
        PeriodClosure.objects.filter(period__band__year=year, is_closed=True).values_list(
            "period_id", flat=True
        )
    )
    archived: dict[tuple[int, int | None], int] = defaultdict(int)
    for class_id, period_id in ArchiveRecord.objects.filter(year=year, kind="journal").values_list(
        "school_class_id", "period_id"
    ):
        archived[(class_id, period_id)] += 1
    rows = []
    for school_class in classes:
        own = [p for p in periods if p.band.covers(school_class.grade)]
        choices = [
            Choice(f"p{p.pk}", p.name, p.pk in closed, archived[(school_class.pk, p.pk)])
            for p in own
        ]
        if own:
            choices.append(
                Choice(
                    "year",
                    "год",
                    own[-1].pk in closed,
                    archived[(school_class.pk, None)],
                )
            )
        rows.append(ClassRow(school_class, choices))
    return rows


def records_of(*, school, limit: int = 200):
    return (
        ArchiveRecord.objects.filter(school=school)
        .select_related("school_class", "period", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def usage_of(*, school, limit: int = 100):
    return (
        UsageEntry.objects.filter(school=school)
        .select_related("recorded_by", "backup")
        .order_by("-recorded_at", "-id")[:limit]
    )


def jobs_of(*, school, limit: int = 10):
    return PrintJob.objects.filter(school=school).select_related("period").order_by("-id")[:limit]


def exports_of(*, school, limit: int = 20):
    return list(
        SchoolExport.objects.filter(school=school)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def register(*, backups, limit: int = 100) -> list[Backup]:
    return list(backups.select_related("created_by").order_by("-created_at", "-id")[:limit])


def periods_of(*, year: AcademicYear) -> list[StudyPeriod]:
    return list(
        StudyPeriod.objects.filter(band__year=year)
        .select_related("band")
        .order_by("band__grade_from", "start")
    )
