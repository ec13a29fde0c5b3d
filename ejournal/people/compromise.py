"""Compromised accounts: block at once, list what was done since, revert in one step.

The regulation (§3.15–3.16) declares every operation made with the account since the
reported moment invalid. The journal operations are found in the audit trail and put
back through the journal's own appliers, so a revert is audited and notifies like any
change. An object someone else changed afterwards is not touched: it is a conflict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ejournal.accounts.models import CompromiseReport, Student, User
from ejournal.accounts.permissions import ensure_account_within
from ejournal.audit import services as audit
from ejournal.audit.models import AuditEvent
from ejournal.core import registry
from ejournal.core.pdf import render_typst
from ejournal.school.models import School

# The journal operations of an act, by audit object type (put back by ``journal.reverts``).
JOURNAL_TYPES = {
    "journal.mark": "отметка",
    "journal.attendance": "посещаемость",
    "schedule.lesson": "тема урока",
    "journal.homework": "домашнее задание",
}
REVERT_REASON = "отмена операций по акту о нарушении конфиденциальности № {}"

COMPROMISE_REASON = "доступ к учётной записи нарушен (акт о нарушении конфиденциальности)"


def _block(*, user: User, actor: User) -> None:
    """Sign-in refused, every session ended (``session_epoch``), and every other way in
    (API tokens, app passwords, the calendar feed) revoked for good: a new password later
    brings none of them back."""
    from ejournal.accounts import services as account_services

    user.is_active = False
    user.session_epoch += 1
    user.save(update_fields=["is_active", "session_epoch"])
    account_services.user_revoke_other_access(user=user, actor=actor, reason=COMPROMISE_REASON)


def _check_moment(since: dt.datetime) -> None:
    now = timezone.now()
    if since > now:
        raise ValidationError("Момент нарушения не может быть в будущем.")
    if since < now - dt.timedelta(days=366):
        raise ValidationError("Момент нарушения — не раньше, чем год назад.")


def _record_report(*, report: CompromiseReport, user: User, since: dt.datetime) -> None:
    audit.record(
        action="auth.compromise_reported",
        actor=report.reported_by,
        school=report.school,
        obj=report,
        after={"user": user.pk, "since": since, "is_active": False},
    )


@transaction.atomic
def compromise_report(
    *, user: User, school, since: dt.datetime, reported_by: User, note: str = ""
) -> CompromiseReport:
    """Record the report and block the account at once (``_block``).

    Anyone may report their own account. The school's administrator or director reports
    another account only when all its active roles are in the school; an account active
    in another school too is reported by the support service
    (``compromise_report_by_support``)."""
    _check_moment(since)
    if reported_by.pk != user.pk:
        ensure_account_within(user=user, school=school, holding=False)
    report = CompromiseReport.objects.create(
        school=school, user=user, reported_by=reported_by, since=since, note=note.strip()
    )
    _block(user=user, actor=reported_by)
    _record_report(report=report, user=user, since=since)
    return report


def _schools_of(user: User, municipality):
    """The schools of the municipality where the account holds an active role."""
    return (
        School.objects.filter(
            role_assignments__user=user,
            role_assignments__active=True,
            municipality=municipality,
        )
        .distinct()
        .order_by("short_name")
    )


@transaction.atomic
def compromise_report_by_support(
    *, user: User, municipality, since: dt.datetime, reported_by: User, note: str = ""
) -> list[CompromiseReport]:
    """The municipality's support service blocks an account of several schools: one act
    per school where it is active (each school reviews and reverts its own operations)."""
    _check_moment(since)
    ensure_account_within(user=user, municipality=municipality)
    reports = [
        CompromiseReport.objects.create(
            school=school, user=user, reported_by=reported_by, since=since, note=note.strip()
        )
        for school in _schools_of(user, municipality)
    ]
    if not reports:
        raise ValidationError("У этой учётной записи нет действующих ролей в школах.")
    _block(user=user, actor=reported_by)
    for report in reports:
        _record_report(report=report, user=user, since=since)
    return reports


@dataclass
class Change:
    object_type: str
    object_id: str
    what: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    events: list[AuditEvent] = field(default_factory=list)
    conflict: AuditEvent | None = None

    @property
    def old_display(self) -> str:
        return _display(self.object_type, self.old)

    @property
    def new_display(self) -> str:
        return _display(self.object_type, self.new)


def _display(object_type: str, value: dict[str, Any] | None) -> str:
    if value is None:
        return "—"
    if object_type == "schedule.lesson":
        return value.get("topic") or "(без темы)"
    if object_type == "journal.homework":
        return (value.get("text") or "")[:80]
    return value.get("display") or "—"


def compromise_changes(report: CompromiseReport) -> list[Change]:
    """The account's journal operations since the moment, one row per object (old → new)."""
    own = list(
        AuditEvent.objects.filter(
            actor=report.user,
            created_at__gte=report.since,
            object_type__in=JOURNAL_TYPES,
            school=report.school,
        ).order_by("created_at", "seq")
    )
    changes: dict[tuple[str, str], Change] = {}
    for event in own:
        key = (event.object_type, event.object_id)
        if key not in changes:
            changes[key] = Change(
                event.object_type,
                event.object_id,
                JOURNAL_TYPES[event.object_type],
                event.before,
                event.after,
            )
        changes[key].new = event.after
        changes[key].events.append(event)
    if not changes:
        return []
    later = (
        AuditEvent.objects.filter(
            school=report.school,
            created_at__gte=report.since,
            object_type__in={t for t, _ in changes},
            object_id__in={i for _, i in changes},
        )
        .exclude(actor=report.user)
        .order_by("created_at", "seq")
    )
    for event in later:
        change = changes.get((event.object_type, event.object_id))
        if change is None or change.conflict is not None:
            continue
        if event.created_at >= change.events[-1].created_at and not event.reason.startswith(
            REVERT_REASON.format("")
        ):
            change.conflict = event
    return list(changes.values())


OTHER_OPERATIONS_LIMIT = 500


def compromise_other_operations(report: CompromiseReport) -> list[AuditEvent]:
    """Everything else the account did since the moment (sign-ins, messages, records...):
    invalid as well, but not put back automatically — the administrator reviews them."""
    return list(
        AuditEvent.objects.filter(
            Q(school=report.school) | Q(school__isnull=True),
            actor=report.user,
            created_at__gte=report.since,
            created_at__lte=report.created_at,
        )
        .exclude(object_type__in=JOURNAL_TYPES)
        .order_by("created_at", "seq")[:OTHER_OPERATIONS_LIMIT]
    )


def _revert_one(change: Change, *, actor: User, reason: str) -> None:
    """The app that owns the object puts it back (the journal: ``journal.reverts``)."""
    for revert in registry.ENTRY_REVERTERS.providers():
        if revert(
            object_type=change.object_type,
            object_id=change.object_id,
            old=change.old,
            actor=actor,
            reason=reason,
        ):
            return
    raise ValueError(f"no reverter for {change.object_type}")


@transaction.atomic
def compromise_revert(*, report: CompromiseReport, actor: User) -> tuple[int, list[Change]]:
    """Put back every object the account changed, except those others changed later."""
    if report.reverted_at:
        raise ValidationError("Операции по этому акту уже отменены.")
    reason = REVERT_REASON.format(report.pk)
    changes = compromise_changes(report)
    reverted, conflicts = 0, []
    for change in changes:
        if change.conflict is not None:
            conflicts.append(change)
            continue
        _revert_one(change, actor=actor, reason=reason)
        reverted += 1
    report.reverted_at = timezone.now()
    report.reverted_by = actor
    report.save(update_fields=["reverted_at", "reverted_by"])
    audit.record(
        action="auth.compromise_reverted",
        actor=actor,
        school=report.school,
        obj=report,
        after={"reverted": reverted, "conflicts": len(conflicts)},
    )
    return reverted, conflicts


def compromise_reissue(*, report: CompromiseReport, actor: User) -> str:
    """Unblock the account with a new one-time password (the old one is void): only for an
    account whose active roles are all in the report's school."""
    from ejournal.accounts import services as account_services

    # Hashed before the transaction: Argon2 is slow and the write lock is the site's.
    prepared = account_services.one_time_password_prepare()
    with transaction.atomic():
        user = report.user
        ensure_account_within(user=user, school=report.school)
        user.is_active = True
        user.save(update_fields=["is_active"])
        return account_services.user_issue_password(
            user=user, actor=actor, school=report.school, prepared=prepared
        )


def account_reissue_by_support(*, user: User, municipality, actor: User) -> tuple[str, School]:
    """The support service gives an account of its municipality a new one-time password,
    unblocking it when an act blocked it. Returns the password and the school whose
    letterhead the letter carries."""
    from ejournal.accounts import services as account_services

    prepared = account_services.one_time_password_prepare()
    with transaction.atomic():
        ensure_account_within(user=user, municipality=municipality)
        school = _schools_of(user, municipality).first()
        if school is None:
            raise ValidationError("У этой учётной записи нет действующих ролей в школах.")
        if not user.is_active:
            if not CompromiseReport.objects.filter(
                user=user, school__municipality=municipality
            ).exists():
                raise ValidationError(
                    "Учётная запись закрыта не по акту о нарушении конфиденциальности: "
                    "разблокировать её здесь нельзя."
                )
            user.is_active = True
            user.save(update_fields=["is_active"])
        password = account_services.user_issue_password(
            user=user, actor=actor, municipality=municipality, prepared=prepared
        )
    return password, school


def compromise_act_pdf(report: CompromiseReport, changes: list[Change]) -> bytes:
    from ejournal.people.services import printed_order_notes

    local = timezone.localtime
    others = compromise_other_operations(report)
    coded = Student.objects.filter(user=report.user, school=report.school).exclude(pseudonym="")
    return render_typst(
        "people/compromise_act.typ",
        {
            "school": report.school.name,
            "number": report.pk,
            "date": f"{local(report.created_at):%d.%m.%Y %H:%M}",
            "since": f"{local(report.since):%d.%m.%Y %H:%M}",
            "person": str(report.user),
            "login": report.user.username,
            "reported_by": str(report.reported_by),
            "note": report.note,
            "changes": [
                {
                    "what": c.what,
                    "when": f"{local(c.events[0].created_at):%d.%m.%Y %H:%M}",
                    "old": c.old_display,
                    "new": c.new_display,
                }
                for c in changes
            ],
            "order_notes": printed_order_notes(coded.select_related("pseudonym_order")),
            "others": [
                {
                    "when": f"{local(e.created_at):%d.%m.%Y %H:%M}",
                    "action": e.action,
                    "object": f"{e.object_type} {e.object_id}".strip(),
                }
                for e in others
            ],
        },
    )
