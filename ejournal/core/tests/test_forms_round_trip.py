"""Every edit form of the product, opened on existing data and posted back unchanged,
changes nothing: no lost field, no wiped date, no error, no audit row, no bumped
timestamp. (A date rendered as «04.12.2026» into <input type="date"> looks empty in the
browser and posts back nothing: re-saving an HR card erased «Принят(а)» and «Стаж с».)

EDIT_FORMS lists the product's edit forms with who edits them. The guard test walks the
URL resolver, opens every page as every role of the school on the same data and finds the
forms that come filled in: each must be in EDIT_FORMS or in NOT_EDIT_FORMS (with the reason),
and every address must be open to someone or be in UNREACHED — so a new edit page, under
any name, fails the guard until it is added here."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.apps import apps
from django.test import Client

from ejournal.accounts.models import HealthGroup, PEGroup
from ejournal.attestation import selectors as attestation_selectors
from ejournal.attestation import services as attestation_services
from ejournal.journal import services as journal_services
from ejournal.journal.models import WorkType
from ejournal.messaging import services as messaging_services
from ejournal.people import health, records
from ejournal.people import services as people_services
from ejournal.planning import services as planning_services
from ejournal.schedule.models import TimetableEntry
from ejournal.schedule.tests.helpers import bells
from ejournal.school.models import CurriculumEntry, DayOff, GroupMembership
from ejournal.security.tests import sweep_support as sweep
from ejournal.testing import factories as f

# Slow (the sweep of every edit form): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

# Rows that legitimately change when a page is merely opened or a form posted (the visit
# itself, the session), not the data the form edits.
VOLATILE = {
    "sessions.session",
    "security.usersession",
    "security.knowndevice",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "diary.diaryvisit",
    "accounts.useractivity",
}
LESSON_TIME = "2026-11-16 10:00 +0300"  # within the lesson's windows (homework: until 11:30)
ENTRY_TIME = "2026-12-23 12:00 +0300"  # the last days of the 2nd quarter: period marks are due


@dataclass(frozen=True)
class EditForm:
    role: str  # who edits it
    action: str = ""  # the route the page's form posts to, when not the page itself
    at: str = LESSON_TIME


EDIT_FORMS = {
    "school:year_edit": EditForm("admin"),
    "school:band_edit": EditForm("admin"),
    "school:period_edit": EditForm("admin"),
    "school:day_off_edit": EditForm("admin"),
    "school:class_edit": EditForm("admin"),
    "school:subject_edit": EditForm("admin"),
    "school:curriculum_edit": EditForm("admin"),
    "school:group_edit": EditForm("admin"),
    "school:membership_edit": EditForm("admin"),
    "school:load_edit": EditForm("admin"),
    "school:staff_edit": EditForm("admin"),
    "people:staff_record_edit": EditForm("hr"),
    "people:health_sheet": EditForm("deputy"),
    "people:guardian_edit": EditForm("admin"),
    "schedule:bell_edit": EditForm("deputy"),
    "schedule:entry_edit": EditForm("deputy"),
    "journal:lesson": EditForm("teacher", action="journal:lesson_record"),
    "journal:homework_edit": EditForm("teacher"),
    "journal:work_edit": EditForm("teacher"),
    "journal:work_type_edit": EditForm("deputy"),
    "planning:plan_detail": EditForm("deputy", action="planning:plan_owner"),
    "planning:item_edit": EditForm("teacher"),
    "attestation:entry": EditForm("teacher", at=ENTRY_TIME),
    "attestation:decision": EditForm("deputy", at=ENTRY_TIME),
    "attestation:settings": EditForm("deputy"),
    "messaging:settings": EditForm("admin"),
    "notifications:preferences": EditForm("parent"),
    "notifications:contacts": EditForm("parent"),
    "security:school_policy": EditForm("admin"),
}
# Edit forms whose data is off by default and stays so here: one checkbox, which on would
# have every teacher of the test world set up a code app first.
OPEN_EMPTY = {"security:school_policy"}

# Pages whose filled-in forms are not edits of what they show: posting one back creates,
# chooses or does something by design.
CREATES = "a form for a new object, filled with defaults"
NOT_EDIT_FORMS = {
    "accounts:choose_school": "chooses the school of the session",
    "api:tokens": CREATES,
    "archive:index": "starts a printing job",
    "diary:calendar": "issues a new calendar address",
    "journal:attendance_week": "confirms the week's attendance",
    "journal:correction_create": "asks for a correction",
    "people:activities": CREATES,
    "people:class_roster": "issues sign-in letters",
    "people:contingent_import": "loads a file",
    "people:enroll": CREATES,
    "people:student_card": "records a consent, pseudonymises",
    "schedule:bells": "assigns bells to a day",
    "schedule:extra": CREATES,
    "schedule:lesson": "moves the lesson",
    "schedule:timetable": "creates the lessons of a period",
    "school:group_detail": "adds a member",
    "school:staff_detail": "grants and revokes roles",
}
CREATE_SUFFIXES = ("_create", "_new", "_add")

# Addresses the data below does not reach; each is an action (POST only), a file, or a page
# without a form that edits what it shows.
UNREACHED = {
    "accounts:logout": "signs out",
    "accounts:logout_everywhere": "signs out",
    "accounts:password_reset_confirm": "a reset link's new password: nothing to show back",
    "api:token_revoke": "an action",
    "oidc:callback": "the provider's answer, no form",
    "oidc:logout": "signs out",
    "oidc:start": "a redirect to the provider",
    "archive:backup_check": "an action",
    "archive:export": "an export's progress",
    "archive:export_file": "a file",
    "archive:job": "a job's progress",
    "archive:job_file": "a file",
    "archive:record": "an archived record, read only",
    "archive:record_pdf": "a file",
    "archive:server_backups": "the deployment's backups, for its administrator: actions only",
    "attestation:correction_decide": "an action",
    "diary:attachment": "a file",
    "diary:ical": "a calendar feed",
    "journal:attachment_download": "a file",
    "journal:correction_approve": "an action",
    "journal:correction_reject": "an action",
    "messaging:attachment": "a file",
    "messaging:comment": "a new comment on a mark (named in the query)",
    "messaging:conversation": "a conversation: replies only",
    "notifications:email_confirm": "a confirmation link: one button, no data",
    "notifications:email_confirm_send": "an action",
    "notifications:push_delete": "an action",
    "notifications:push_subscribe": "an action of the page's script (JSON)",
    "people:activity_delete": "an action",
    "people:compromise_act": "an action",
    "people:compromise_detail": "a report: actions only",
    "people:compromise_reissue": "an action",
    "people:compromise_revert": "an action",
    "people:letters_job": "a job's progress",
    "people:letters_job_file": "a file",
    "people:support_accounts": "the municipality's support service: reissues sign-ins",
    "reports:run": "a report's result",
    "reports:run_download": "a file",
    "security:alert_acknowledge": "an action",
    "schedule:substitution_cancel": "an action",
    "security:session_revoke": "an action",
}
ROLES = ("admin", "director", "deputy", "hr", "operator", "teacher", "homeroom", "parent")


class _Forms(HTMLParser):
    """The POST forms of a page: action, the fields as the browser would send them, and
    whether any visible field came filled in (a value, a checked box, a selected option)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = {"action": a.get("action") or "", "fields": [], "submit": None}
                self._form["filled"] = False
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "input":
            self._input(form, a)
        elif tag == "button" and a.get("name") and form["submit"] is None:
            if (a.get("type") or "submit") == "submit":
                form["submit"] = (a["name"], a.get("value", ""))
        elif tag == "select" and "disabled" not in a:
            self._select = a.get("name")
            self._select_multiple = "multiple" in a
            self._select_first = None
            self._select_chosen = False
        elif tag == "option" and self._select:
            value = a.get("value")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                form["fields"].append((self._select, value if value is not None else ""))
                form["filled"] = self._select_chosen = True
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea = a["name"]
            form["fields"].append((self._textarea, ""))

    def _input(self, form: dict, a: dict) -> None:
        kind = (a.get("type") or "text").lower()
        name = a.get("name")
        if not name or "disabled" in a:
            return
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                form["fields"].append((name, a.get("value", "on")))
                form["filled"] = True
        elif kind == "submit":
            if form["submit"] is None:
                form["submit"] = (name, a.get("value", ""))
        elif kind != "file":
            value = _sanitised(kind, a.get("value", ""))
            form["fields"].append((name, value))
            form["filled"] |= kind != "hidden" and value != ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, text = self._form["fields"][-1]
            # The parser hands the text in pieces.
            self._form["fields"][-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and not self._select_multiple:
                self._form["fields"].append((self._select, self._select_first or ""))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            name, text = self._form["fields"][-1]
            # The first newline after the tag is not part of the value (the HTML rule).
            text = text.removeprefix("\n")
            self._form["fields"][-1] = (name, text)
            self._form["filled"] |= text != ""
            self._textarea = None


SANITISED = {
    # What the browser keeps of an input's value (the HTML standard's value sanitization):
    # anything else shows as an empty field and is posted back empty.
    "date": r"\d{4}-\d{2}-\d{2}",
    "datetime-local": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?",
    "time": r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?",
    "number": r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?",
}


def _sanitised(kind: str, value: str) -> str:
    pattern = SANITISED.get(kind)
    if pattern is None or value == "" or re.fullmatch(pattern, value):
        return value
    return ""


def _post_forms(html: str, action: str) -> list[dict]:
    """The page's POST forms that post to ``action`` (or to the page itself, when empty)."""
    parser = _Forms()
    parser.feed(html)
    if action:
        return [form for form in parser.forms if form["action"] == action]
    return [form for form in parser.forms if form["action"] == ""]


def _snapshot() -> dict:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE:
            continue
        state[label] = sorted(repr(sorted(row.items())) for row in model.objects.values())
    return state


def _diff(before: dict, after: dict) -> list[str]:
    changed = []
    for label in before:
        if before[label] != after[label]:
            old, new = set(before[label]), set(after[label])
            changed.append(f"{label}: -{sorted(old - new)[:2]} +{sorted(new - old)[:2]}")
    return changed


# --- the data every edit form opens on -------------------------------------------------------


@pytest.fixture
def school(world):
    """The test world with something entered on every edit form's object, through the
    product's services where it has one."""
    w = world
    teacher, hr = w.staff["teacher"], w.users["hr"]
    with time_machine.travel(LESSON_TIME, tick=False):
        bell = bells(w.school, actor=w.users["deputy"])
        journal_services.work_types_ensure_defaults(school=w.school)
        work_type = WorkType.objects.filter(school=w.school).first()
        lesson = f.make_lesson(w.group, w.subject, teacher, dt.date(2026, 11, 16))
        homework = journal_services.homework_save(
            actor=w.users["teacher"], staff=teacher, lesson=lesson, homework=None, text="№ 12"
        )
        journal_services.lesson_record_save(
            actor=w.users["teacher"],
            staff=teacher,
            lesson=lesson,
            topic="Сложение дробей",
            comment="Повторить правило",
            expected_version=None,
        )
        work = journal_services.work_create(
            actor=w.users["teacher"],
            staff=teacher,
            lesson=lesson,
            work_type=work_type,
            title="Самостоятельная",
        )
        records.staff_record_save(
            staff=teacher,
            actor=hr,
            education="высшее, ЯГПУ",
            qualification="first",
            qualification_date=dt.date(2024, 3, 1),
            hired_on=dt.date(2015, 8, 28),
            teaching_since=dt.date(2010, 9, 1),
            courses="ФГОС 2023, 72 ч.",
        )
        health.health_sheet_save(
            student=w.child,
            health_group=HealthGroup.SECOND,
            pe_group=PEGroup.PREPARATORY,
            notes="Освобождение от бега на 2 недели",
            actor=w.users["deputy"],
        )
        plan = planning_services.thematic_plan_create(
            actor=None, year=w.year, subject=w.subject, group=w.group, owner=teacher
        )
        item = planning_services.plan_item_add(
            actor=None,
            plan=plan,
            topic="Натуральные числа",
            hours=2,
            kind="lesson",
            section="Глава 1",
            planned_date=dt.date(2026, 9, 2),
        )
    curriculum = CurriculumEntry.objects.create(
        year=w.year, subject=w.subject, grade=5, hours_per_week=Decimal("5")
    )
    english = f.SubjectFactory(school=w.school, name="Английский язык")
    subgroup = f.GroupFactory(school_class=w.school_class, name="5А англ. 1", kind="subgroup")
    membership = GroupMembership.objects.create(
        group=subgroup, student=w.child, date_from=dt.date(2026, 9, 1)
    )
    load = f.load(subgroup, english, teacher, Decimal("3"))
    entry = TimetableEntry.objects.create(
        school=w.school,
        weekday=1,
        number=1,
        group=w.group,
        subject=w.subject,
        teacher=teacher,
        room="12",
        valid_from=dt.date(2026, 9, 1),
    )
    second_quarter = w.year.bands.first().periods.get(number=2)
    with time_machine.travel(ENTRY_TIME, tick=False):
        _period_marks_and_decision(w, f"p{second_quarter.pk}")
    event = messaging_services.event_create(
        actor=w.users["deputy"],
        school=w.school,
        kind="olympiad",
        title="Олимпиада по математике",
        starts_at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    )
    guardian = w.child.guardians.first()
    # The parent's contacts, as the homeroom teacher enters them on the card.
    people_services.guardian_update_contacts(
        guardian=guardian,
        actor=w.users["homeroom"],
        email="parent@mail.ru",
        phone="+7 900 000-00-01",
    )
    ids = {
        "year_id": w.year.pk,
        "band_id": w.year.bands.first().pk,
        "period_id": w.year.bands.first().periods.first().pk,
        "day_off_id": DayOff.objects.filter(year=w.year).first().pk,
        "class_id": w.school_class.pk,
        "subject_id": w.subject.pk,
        "entry_id": curriculum.pk,
        "group_id": w.group.pk,
        "membership_id": membership.pk,
        "load_id": load.pk,
        "staff_id": teacher.pk,
        "student_id": w.child.pk,
        "guardian_id": guardian.pk,
        "homework_id": homework.pk,
        "work_id": work.pk,
        "type_id": work_type.pk,
        "plan_id": plan.pk,
        "item_id": item.pk,
        "lesson_id": lesson.pk,
        "event_id": event.pk,
        "slug": f"p{second_quarter.pk}",
        "kind": "move",
        "room": "12",
    }
    # Each page's own object where one name means two: the subgroup's page, the bells'.
    own = {
        "school:group_detail": {"group_id": subgroup.pk},
        "school:group_edit": {"group_id": subgroup.pk},
        "schedule:bell_edit": {"pk": bell.pk},
        "schedule:entry_edit": {"pk": entry.pk},
        "schedule:entry_end": {"pk": entry.pk},
        "schedule:lesson": {"pk": lesson.pk},
        "schedule:lesson_change": {"pk": lesson.pk},
        "reports:page": {"slug": "class-results"},
        "reports:run_start": {"slug": "class-results"},
    }
    return w, ids, own


def _period_marks_and_decision(w, slug: str) -> None:
    target = attestation_selectors.target_for(year=w.year, grade=5, slug=slug)
    attestation_services.period_marks_save(
        actor=w.users["teacher"],
        staff=w.staff["teacher"],
        group=w.group,
        subject=w.subject,
        target=target,
        entries=[
            attestation_services.PeriodMarkEntry(w.child.pk, "4", "по итогам контрольных"),
        ],
    )
    attestation_services.council_decision_set(
        actor=w.users["deputy"],
        school_class=w.school_class,
        student=w.child,
        kind="transferred",
        date=dt.date(2026, 12, 18),
        protocol_number="7",
    )


def _routes() -> dict:
    return {r.key: r for r in sweep.all_routes() if _is_page(r)}


def _is_page(route) -> bool:
    """The product's own pages: not the Django admin, not the JSON API and NetSchool layer."""
    return not (
        route.key.startswith(("admin:", "api:v1:"))
        or route.key in ("api:docs_asset", "webapi:api")
        or route.route.startswith("django-admin/")
    )


def _url(route, ids: dict, own: dict) -> str | None:
    values = {**ids, **own.get(route.key, {})}
    names = re.findall(r"<(?:\w+:)?(\w+)>", route.route)
    if any(name not in values for name in names):
        return None
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route.route)


def _filled_in(page) -> bool:
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return False
    parser = _Forms()
    parser.feed(page.content.decode())
    return any(form["filled"] for form in parser.forms)


def test_every_page_with_a_filled_in_form_is_in_the_round_trip(school):
    world, ids, own = school
    unreached, filled = [], set()
    routes = {key: route for key, route in _routes().items() if key not in UNREACHED}
    for at in sorted({edit.at for edit in EDIT_FORMS.values()}):
        with time_machine.travel(at, tick=False):
            clients = {role: Client(raise_request_exception=False) for role in ROLES}
            for role, client in clients.items():
                client.force_login(world.users[role])
            for key, route in sorted(routes.items()):
                if (EDIT_FORMS[key].at if key in EDIT_FORMS else LESSON_TIME) != at:
                    continue
                url = _url(route, ids, own)
                pages = [client.get(url) for client in clients.values()] if url else []
                if not any(page.status_code in (200, 302, 405) for page in pages):
                    unreached.append(key)
                if any(_filled_in(page) for page in pages):
                    filled.add(key)
    assert not unreached, f"addresses the data does not reach (fill them or UNREACHED): {unreached}"
    creates = {key for key in filled if key.endswith(CREATE_SUFFIXES)}
    missing = sorted(filled - creates - set(EDIT_FORMS) - set(NOT_EDIT_FORMS))
    assert not missing, f"pages with a filled-in form, not in EDIT_FORMS: {missing}"
    empty = sorted(set(EDIT_FORMS) - filled - OPEN_EMPTY)
    assert not empty, f"EDIT_FORMS that opened without their data: {empty}"


@pytest.mark.parametrize("key", sorted(EDIT_FORMS))
def test_an_edit_form_posted_back_unchanged_changes_nothing(school, key, settings):
    world, ids, own = school
    routes = _routes()
    edit = EDIT_FORMS[key]
    url = _url(routes[key], ids, own)
    target = _url(routes[edit.action], ids, own) if edit.action else url
    client = Client()
    with time_machine.travel(edit.at, tick=False):
        client.force_login(world.users[edit.role])
        page = client.get(url)
        assert page.status_code == 200, f"{url}: {page.status_code}"
        forms = _post_forms(page.content.decode(), target if edit.action else "")
        assert forms, f"{url}: no form to post back"
        for form in forms:
            fields = list(form["fields"])
            if form["submit"]:
                fields.append(form["submit"])
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            before = _snapshot()
            response = client.post(target, data)
            text = response.content.decode("utf-8", "replace")
            assert response.status_code in (200, 302), f"{url}: {response.status_code}"
            refused = ('class="errorlist', "aria-invalid", "msg-error")
            assert not any(mark in text for mark in refused), (
                f"{url}: the unchanged form was refused: {fields}"
            )
            changed = _diff(before, _snapshot())
            assert not changed, f"{url} posted back unchanged changed: {changed}"
