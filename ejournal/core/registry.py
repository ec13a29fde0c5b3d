"""The extension points: where a lower app needs behaviour only a higher one has.

Apps import only apps below them (the floors in ``core/tests/test_layers.py`` and
README's layout: core → audit → accounts → school → people → schedule → planning →
journal → attestation → notifications → messaging → diary → security → reports → archive →
api/webapi → demo). A write calls its side effects by name; this module is for
the few questions that point up a floor — the start page shows blocks of every app, the
schedule asks the journal whether a lesson has records, a journal write tells the
notifications after commit.

Each point names its providers here, once, by dotted path (like ``MIDDLEWARE``): nothing
is appended at start-up, the order is the order written, and ``core`` imports no app.
A provider is resolved when the point is asked, so a test may ``monkeypatch`` it in its
module. ``core/tests/test_registry.py`` checks that every provider exists, has the
point's signature and lives above the app that asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypedDict, TypeVar

from django.utils.module_loading import import_string

P = TypeVar("P")
Change = TypeVar("Change", contravariant=True)


@dataclass(frozen=True)
class ExtensionPoint(Generic[P]):
    name: str
    # What every provider is (a Protocol of P's shape, checked by the registry's test).
    protocol: type[Any]
    # The app that asks (its providers must live above it: otherwise call them by name).
    asked_by: str
    paths: tuple[str, ...]

    def providers(self) -> list[P]:
        return [import_string(path) for path in self.paths]


# --- Pages -------------------------------------------------------------------------------


class StartPageBlock(Protocol):
    """Adds to the role's start page: ``{"blocks": [{"title", "lines", "empty"}], ...}``;
    keys other than ``blocks`` are merged into the template context."""

    def __call__(self, request: Any, role: str) -> dict[str, Any] | None: ...


class ProfileSection(Protocol):
    """A section of «Профиль»: ``{"title", "text", "url"}``, or None where it does not
    apply to the person."""

    def __call__(self, request: Any) -> dict[str, Any] | None: ...


START_PAGE_BLOCKS = ExtensionPoint[StartPageBlock](
    name="start_page_blocks",
    protocol=StartPageBlock,
    asked_by="school",
    paths=(
        "ejournal.schedule.setup.start_page_block",
        "ejournal.journal.selectors.control_block",
        "ejournal.schedule.selectors.start_page_block",
        "ejournal.attestation.selectors.control_block",
        "ejournal.messaging.selectors.start_page_block",
        "ejournal.reports.builders.journal_keeping.start_page_block",
        "ejournal.security.hooks.start_page_alerts",
    ),
)

PROFILE_SECTIONS = ExtensionPoint[ProfileSection](
    name="profile_sections",
    protocol=ProfileSection,
    asked_by="accounts",
    paths=(
        "ejournal.notifications.views.contacts_section",
        "ejournal.api.views.profile_section",
        "ejournal.webapi.pages.profile_section",
        "ejournal.security.hooks.two_factor_section",
        "ejournal.security.hooks.sessions_section",
        "ejournal.security.hooks.school_policy_section",
    ),
)

# --- Accounts ----------------------------------------------------------------------------


class AccessRevoker(Protocol):
    """Ends one way into an account other than its password and sessions (API tokens, app
    passwords, the calendar feed address) for good. Called inside the transaction of a new
    password or of a compromise report: one that raises rolls the whole step back, so no
    way in outlives either."""

    def __call__(self, user: Any, *, actor: Any, reason: str) -> None: ...


ACCESS_REVOKERS = ExtensionPoint[AccessRevoker](
    name="access_revokers",
    protocol=AccessRevoker,
    asked_by="accounts",
    paths=(
        "ejournal.diary.services.revoke_for_account",
        "ejournal.api.services.revoke_for_account",
        "ejournal.webapi.services.revoke_for_account",
    ),
)


class EntryReverter(Protocol):
    """Puts back one object a compromised account changed (its audit ``object_type`` and
    ``object_id``; ``old`` is its state before, None when the account created it), audited
    with ``reason``. Returns False for an object type that is not its app's."""

    def __call__(
        self,
        *,
        object_type: str,
        object_id: str,
        old: dict[str, Any] | None,
        actor: Any,
        reason: str,
    ) -> bool: ...


ENTRY_REVERTERS = ExtensionPoint[EntryReverter](
    name="entry_reverters",
    protocol=EntryReverter,
    asked_by="people",
    paths=("ejournal.journal.reverts.revert_entry",),
)

# --- Lessons ---------------------------------------------------------------------------


class LessonIdCheck(Protocol):
    """The ids among ``lesson_ids`` for which the answer is yes, in a constant number of
    queries."""

    def __call__(self, lesson_ids: Collection[int]) -> set[int]: ...


# A lesson has journal data (topic, homework, works, marks, attendance): rebuilding the
# timetable must never delete, move or re-teacher it.
LESSONS_WITH_JOURNAL_DATA = ExtensionPoint[LessonIdCheck](
    name="lessons_with_journal_data",
    protocol=LessonIdCheck,
    asked_by="schedule",
    paths=("ejournal.journal.hooks.lesson_ids_with_journal_data",),
)

# A lesson is documented (the substitution log's «урок оформлен»); a held one always is.
LESSONS_DOCUMENTED = ExtensionPoint[LessonIdCheck](
    name="lessons_documented",
    protocol=LessonIdCheck,
    asked_by="schedule",
    paths=("ejournal.journal.hooks.lesson_ids_documented",),
)

# --- Journal ---------------------------------------------------------------------------


class ClosedPeriods(Protocol):
    """The closed study periods of a school's grade, as ``journal.rules.ClosedRange``s:
    ordinary journal edits stop there, approved corrections still apply."""

    def __call__(self, school_id: int, grade: int) -> Sequence[Any]: ...


CLOSED_PERIODS = ExtensionPoint[ClosedPeriods](
    name="closed_periods",
    protocol=ClosedPeriods,
    asked_by="journal",
    paths=("ejournal.attestation.selectors.closed_ranges_for",),
)


class Listener(Protocol[Change]):
    """Told after commit of the changes of one write (a batch of journal cells: all of
    them in one call). A rolled-back write tells nobody. Listeners only queue work."""

    def __call__(self, changes: Sequence[Change]) -> None: ...


Snapshot = dict[str, Any] | None  # the record's fields and "display", None when absent


class MarkChange(TypedDict):
    school_id: int
    lesson_id: int
    work_id: int
    student_id: int
    before: Snapshot
    after: Snapshot


class AttendanceChange(TypedDict):
    school_id: int
    lesson_id: int
    student_id: int
    before: Snapshot
    after: Snapshot


class HomeworkChange(TypedDict):
    school_id: int
    lesson_id: int
    homework_id: int
    created: bool


class PeriodMarkChange(TypedDict):
    school_id: int
    period_mark_id: int
    before: Snapshot
    after: Snapshot


MARKS_CHANGED = ExtensionPoint[Listener[MarkChange]](
    name="marks_changed",
    protocol=Listener,
    asked_by="journal",
    paths=(
        "ejournal.notifications.handlers.marks_changed",
        "ejournal.security.hooks.marks_changed",
    ),
)

ATTENDANCE_CHANGED = ExtensionPoint[Listener[AttendanceChange]](
    name="attendance_changed",
    protocol=Listener,
    asked_by="journal",
    paths=("ejournal.notifications.handlers.attendance_changed",),
)

HOMEWORK_CHANGED = ExtensionPoint[Listener[HomeworkChange]](
    name="homework_changed",
    protocol=Listener,
    asked_by="journal",
    paths=("ejournal.notifications.handlers.homework_changed",),
)


class CorrectionDecision(TypedDict):
    school_id: int
    correction: str  # the model's label, e.g. "journal.correctionrequest"
    correction_id: int
    status: str
    requested_by_id: int | None


PERIOD_MARKS_CHANGED = ExtensionPoint[Listener[PeriodMarkChange]](
    name="period_marks_changed",
    protocol=Listener,
    asked_by="attestation",
    paths=("ejournal.notifications.handlers.period_marks_changed",),
)

CORRECTIONS_DECIDED = ExtensionPoint[Listener[CorrectionDecision]](
    name="corrections_decided",
    protocol=Listener,
    asked_by="journal",
    paths=("ejournal.notifications.handlers.corrections_decided",),
)


class LessonChange(TypedDict):
    school_id: int
    lesson_id: int  # the lesson as it is now (a moved lesson: its new date)
    what: str  # in Russian: «урок отменён», «кабинет 14 вместо 12», «замена: ведёт …»


LESSONS_CHANGED = ExtensionPoint[Listener[LessonChange]](
    name="lessons_changed",
    protocol=Listener,
    asked_by="schedule",
    paths=("ejournal.notifications.handlers.lessons_changed",),
)

# --- Messages ----------------------------------------------------------------------------


class MessageSent(Protocol):
    """Told after commit that a new conversation went out (tamper checks)."""

    def __call__(
        self, *, school_id: int, sender_id: int, recipients: int, sent_at: dt.datetime
    ) -> None: ...


MESSAGE_SENT = ExtensionPoint[MessageSent](
    name="message_sent",
    protocol=MessageSent,
    asked_by="messaging",
    paths=("ejournal.security.hooks.message_sent",),
)

ALL: tuple[ExtensionPoint[Any], ...] = (
    START_PAGE_BLOCKS,
    PROFILE_SECTIONS,
    ACCESS_REVOKERS,
    ENTRY_REVERTERS,
    LESSONS_WITH_JOURNAL_DATA,
    LESSONS_DOCUMENTED,
    CLOSED_PERIODS,
    MARKS_CHANGED,
    ATTENDANCE_CHANGED,
    HOMEWORK_CHANGED,
    PERIOD_MARKS_CHANGED,
    CORRECTIONS_DECIDED,
    LESSONS_CHANGED,
    MESSAGE_SENT,
)
