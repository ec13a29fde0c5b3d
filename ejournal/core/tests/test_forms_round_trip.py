"""Every edit form of the product, opened on existing data and posted back unchanged,
changes nothing: no lost field, no wiped date, no error, no audit row, no bumped
timestamp. (A date rendered as «04.12.2026» into <input type="date"> looks empty in the
browser and posts back nothing: re-saving an HR card erased «Принят(а)» and «Стаж с».)

EDIT_FORMS lists the product's edit pages with who edits them and the object to open; a
URL named ``…_edit`` (or a settings page) without an entry fails the guard test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.apps import apps
from django.test import Client

from ejournal.accounts.models import HealthGroup, HealthSheet, PEGroup, StaffRecord
from ejournal.journal import services as journal_services
from ejournal.journal.models import Work, WorkType
from ejournal.planning import services as planning_services
from ejournal.schedule.models import TimetableEntry
from ejournal.schedule.tests.helpers import bells
from ejournal.school.models import CurriculumEntry, DayOff, GroupMembership
from ejournal.security.tests import sweep_support as sweep
from ejournal.testing import factories as f

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
# Pages that open an existing object's form, and everything that is only settings.
SETTINGS_PAGES = {
    "attestation:settings",
    "messaging:settings",
    "notifications:preferences",
    "security:school_policy",
}
NOT_EDIT_FORMS = {
    # The grid's cells are saved one by one from JavaScript, not by a posted form.
    "journal:work_types",
}


class _Forms(HTMLParser):
    """The POST forms of a page: action and the fields as the browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = {"action": a.get("action") or "", "fields": [], "submit": None}
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if not name or "disabled" in a:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"].append((name, a.get("value", "on")))
            elif kind == "submit":
                if form["submit"] is None:
                    form["submit"] = (name, a.get("value", ""))
            elif kind != "file":
                form["fields"].append((name, _sanitised(kind, a.get("value", ""))))
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
            self._option_value = value
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                form["fields"].append((self._select, value if value is not None else ""))
                self._select_chosen = True
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea = a["name"]
            form["fields"].append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, text = self._form["fields"][-1]
            # The parser hands the text in pieces; the first newline after the tag is not
            # part of the value (the HTML rule).
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
            if text.startswith("\n"):
                text = text[1:]
            self._form["fields"][-1] = (name, text)
            self._textarea = None


SANITISED = {
    # What the browser keeps of an input's value (the HTML standard's value sanitization):
    # anything else shows as an empty field and is posted back empty.
    "date": r"\d{4}-\d{2}-\d{2}",
    "time": r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?",
    "number": r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?",
}


def _sanitised(kind: str, value: str) -> str:
    import re

    pattern = SANITISED.get(kind)
    if pattern is None or value == "" or re.fullmatch(pattern, value):
        return value
    return ""


def _post_forms(html: str, path: str, suffix: str = "") -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    if suffix:
        return [f for f in parser.forms if f["action"] == path + suffix]
    return [f for f in parser.forms if f["action"] in ("", path)]


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
    w = world
    teacher = w.staff["teacher"]
    bell = bells(w.school, actor=w.users["deputy"])
    journal_services.work_types_ensure_defaults(school=w.school)
    work_type = WorkType.objects.filter(school=w.school).first()
    lesson = f.make_lesson(w.group, w.subject, teacher, dt.date(2026, 11, 16))
    with time_machine.travel("2026-11-16 09:30 +0300", tick=False):
        homework = journal_services.homework_save(
            actor=w.users["teacher"], staff=teacher, lesson=lesson, homework=None, text="№ 12"
        )
        journal_services.lesson_record_save(
            actor=w.users["teacher"],
            staff=teacher,
            lesson=lesson,
            topic="Сложение дробей",
            comment="",
            expected_version=None,
        ) if hasattr(journal_services, "lesson_record_save") else None
    work = Work.objects.create(lesson=lesson, work_type=work_type, title="Самостоятельная")
    record = StaffRecord.objects.create(
        staff=teacher,
        education="высшее, ЯГПУ",
        qualification_date=dt.date(2024, 3, 1),
        hired_on=dt.date(2015, 8, 28),
        teaching_since=dt.date(2010, 9, 1),
        courses="ФГОС 2023, 72 ч.",
    )
    HealthSheet.objects.create(
        student=w.child,
        health_group=HealthGroup.SECOND,
        pe_group=PEGroup.PREPARATORY,
        notes="Освобождение от бега на 2 недели",
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
    guardian = w.child.guardians.first()
    ids = {
        "year_id": w.year.pk,
        "band_id": w.year.bands.first().pk,
        "period_id": w.year.bands.first().periods.first().pk,
        "day_off_id": DayOff.objects.filter(year=w.year).first().pk,
        "class_id": w.school_class.pk,
        "subject_id": w.subject.pk,
        "entry_id": curriculum.pk,
        "group_id": subgroup.pk,
        "membership_id": membership.pk,
        "load_id": load.pk,
        "staff_id": teacher.pk,
        "student_id": w.child.pk,
        "guardian_id": guardian.pk,
        "homework_id": homework.pk,
        "work_id": work.pk,
        "type_id": work_type.pk,
        "item_id": getattr(item, "pk", None) or plan.items.first().pk,
        "lesson_id": lesson.pk,
    }
    return w, ids, {"bell": bell, "entry": entry, "record": record}


# Who edits each page, and how its address is filled (by the ids above, or pk=...).
EDIT_FORMS = {
    "school:year_edit": "admin",
    "school:band_edit": "admin",
    "school:period_edit": "admin",
    "school:day_off_edit": "admin",
    "school:class_edit": "admin",
    "school:subject_edit": "admin",
    "school:curriculum_edit": "admin",
    "school:group_edit": "admin",
    "school:membership_edit": "admin",
    "school:load_edit": "admin",
    "school:staff_edit": "admin",
    "people:staff_record_edit": "hr",
    "people:health_sheet": "deputy",
    "people:guardian_edit": "admin",
    "schedule:bell_edit": "deputy",
    "schedule:entry_edit": "deputy",
    "journal:homework_edit": "teacher",
    "journal:work_edit": "teacher",
    "journal:work_type_edit": "deputy",
    # The lesson page's own form: the topic and the comment (posted to …/record/).
    "journal:lesson": ("teacher", "record/"),
    "planning:item_edit": "teacher",
    "attestation:settings": "deputy",
    "messaging:settings": "admin",
    "notifications:preferences": "parent",
    "security:school_policy": "admin",
}


def _routes() -> dict:
    return {r.key: r for r in sweep.all_routes()}


def test_every_edit_page_is_in_the_round_trip():
    keys = set(_routes())
    edit_pages = {k for k in keys if k.endswith("_edit")} | SETTINGS_PAGES
    missing = sorted(edit_pages - set(EDIT_FORMS) - NOT_EDIT_FORMS)
    assert not missing, f"edit pages without a round-trip entry in EDIT_FORMS: {missing}"


def _url(route, ids: dict, extra: dict) -> str:
    import re

    def value(match) -> str:
        name = match.group(1)
        if name == "pk":
            return str(extra["bell"].pk if "bells" in route.route else extra["entry"].pk)
        return str(ids[name])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route.prefix + str(route.pattern.pattern))


@pytest.mark.parametrize("key", sorted(EDIT_FORMS))
def test_an_edit_form_posted_back_unchanged_changes_nothing(school, key, settings):
    world, ids, extra = school
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_ip": "100000/60"}
    route = _routes()[key]
    url = _url(route, ids, extra)
    role, suffix = EDIT_FORMS[key] if isinstance(EDIT_FORMS[key], tuple) else (EDIT_FORMS[key], "")
    client = Client()
    client.force_login(world.users[role])
    # Within the lesson's windows (homework until 90 minutes after it ends).
    with time_machine.travel("2026-11-16 10:00 +0300", tick=False):
        page = client.get(url)
        assert page.status_code == 200, f"{url}: {page.status_code}"
        forms = _post_forms(page.content.decode(), url, suffix)
        assert forms, f"{url}: no form to post back"
        for form in forms:
            fields = list(form["fields"])
            if form["submit"]:
                fields.append(form["submit"])
            before = _snapshot()
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            response = client.post(url + suffix, data)
            text = response.content.decode("utf-8", "replace")
            assert response.status_code in (200, 302), f"{url}: {response.status_code}"
            assert 'class="errorlist' not in text and "aria-invalid" not in text, (
                f"{url}: the unchanged form was refused: {fields}"
            )
            changed = _diff(before, _snapshot())
            assert not changed, f"{url} posted back unchanged changed: {changed}"


def test_every_date_field_renders_an_iso_value():
    """Django's DateInput renders the Russian «04.12.2026», which <input type="date">
    cannot show: every form uses ejournal.core.widgets.DateInput, and templates write
    their own date inputs' values as Y-m-d."""
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "ejournal"
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "widgets.py":
            continue
        if "forms.DateInput(" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(root)))
    for path in root.rglob("*.html"):
        for tag in re.findall(r'<input[^>]*type="date"[^>]*>', path.read_text(encoding="utf-8")):
            value = re.search(r'value="([^"]*)"', tag)
            if value and "{{" in value.group(1) and "Y-m-d" not in value.group(1):
                offenders.append(f"{path.relative_to(root)}: {tag}")
    assert not offenders, offenders
