"""Demo archive: the deputy archives the journal copy and summary sheet of the first
closed period for one class, the director starts a «Выгрузка данных школы» and one backup
is taken into the register once the demo school is committed.

A step of ``seed_demo`` (``create_archive_demo``, after the period-marks step).
"""

from __future__ import annotations

from django.db import connection, transaction

from ejournal.accounts.models import Role, RoleAssignment
from ejournal.archive import backups, school_export, services
from ejournal.attestation.models import PeriodClosure

DEMO_CLASS = "5А"


def create_archive_demo(build) -> None:
    if build.school is None or build.year is None:
        return
    deputy = (
        RoleAssignment.objects.filter(school=build.school, role=Role.DEPUTY, active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    school_class = build.class_named(DEMO_CLASS) or (build.classes[0] if build.classes else None)
    if deputy is None or school_class is None:
        return
    closure = (
        PeriodClosure.objects.filter(
            is_closed=True,
            period__band__year=build.year,
            period__band__grade_from__lte=school_class.grade,
            period__band__grade_to__gte=school_class.grade,
        )
        .select_related("period__band")
        .order_by("period__start")
        .first()
    )
    facts: dict[str, object] = {}
    if closure is not None:
        records = services.archive_create(
            actor=deputy.user, school_class=school_class, period=closure.period
        )
        facts["records"] = [r.title for r in records]
    director = (
        RoleAssignment.objects.filter(school=build.school, role=Role.DIRECTOR, active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if director is not None:
        # The export reads committed data, so it runs once the seed commits (and the queued
        # task finds it done).
        export = school_export.school_export_start(actor=director.user, school=build.school)
        transaction.on_commit(lambda: school_export.school_export_run(export_id=export.pk))
        facts["school_export"] = f"выгрузка данных школы от имени {director.user.username}"
    if build.options.backup and not _is_test_database():
        # The backup copies the committed database, so it is taken after the seed commits.
        transaction.on_commit(
            lambda: backups.backup_create(actor=None, note="демо: копия после заполнения школы")
        )
        facts["backup"] = "после сохранения демо-школы"
    build.facts["archive"] = facts


def _is_test_database() -> bool:
    """A test run's throw-away database: its backup would only pile up archives of test
    data in the real data directory."""
    name = str(connection.settings_dict["NAME"])
    return name.startswith("test_") or "mode=memory" in name or name == ":memory:"
