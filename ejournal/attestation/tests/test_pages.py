"""Attestation pages: who can open each, the entry form round trip, constant queries."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ejournal.attestation.models import CouncilDecision, PeriodClosure, PeriodMark
from ejournal.attestation.tests.conftest import AFTER_GRACE, IN_WINDOW
from ejournal.testing import factories as f
from ejournal.testing.world import WORLD_ROLES

ALL_ROLES = list(WORLD_ROLES)


def _urls(aw):
    w = aw.w
    return {
        "index": reverse("attestation:index"),
        "entry": reverse("attestation:entry", args=[w.group.pk, w.subject.pk, f"p{aw.q2.pk}"]),
        "entry_year": reverse("attestation:entry", args=[w.group.pk, w.subject.pk, "year"]),
        "sheet": reverse("attestation:sheet", args=[w.school_class.pk, f"p{aw.q2.pk}"]),
        "sheet_year": reverse("attestation:sheet", args=[w.school_class.pk, "year"]),
        "decision": reverse("attestation:decision", args=[w.school_class.pk, w.students[0].pk]),
        "closures": reverse("attestation:closures"),
        "objectivity": reverse("attestation:objectivity"),
        "settings": reverse("attestation:settings"),
    }


# «outsider» is the administrator of another school: the start and settings pages open for
# their own school; nothing of this school is reachable (see the 404 tests below).
ALLOWED = {
    "index": {"admin", "director", "deputy", "teacher", "homeroom", "outsider"},
    "entry": {"teacher"},
    "entry_year": {"teacher"},
    "sheet": {"admin", "director", "deputy", "homeroom"},
    "sheet_year": {"admin", "director", "deputy", "homeroom"},
    "decision": {"deputy"},
    "closures": {"deputy", "director"},
    "objectivity": {"deputy", "director"},
    "settings": {"admin", "deputy", "director", "outsider"},
}


@time_machine.travel(IN_WINDOW, tick=False)
@pytest.mark.parametrize("page", sorted(ALLOWED))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_can_open_each_page(aw, client_for, page, role):
    response = client_for(role).get(_urls(aw)[page])
    assert response.status_code == (200 if role in ALLOWED[page] else 404)


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_anonymous_is_sent_to_sign_in(aw, client_for, page):
    response = client_for("anonymous").get(_urls(aw)[page])
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_homeroom_teacher_reads_only_their_own_class(aw, client_for):
    w = aw.w
    q2 = f"p{aw.q2.pk}"
    # «teacher» is the homeroom teacher of 6Б, not of 5А.
    own = reverse("attestation:sheet", args=[w.other_class.pk, q2])
    assert client_for("teacher").get(own).status_code == 200
    assert client_for("homeroom").get(own).status_code == 404


def test_another_schools_class_and_period_answer_404(aw, client_for):
    w = aw.w
    other_year = f.YearFactory(school=w.other_school)
    other_class = f.ClassFactory(school=w.other_school, year=other_year, grade=5, letter="А")
    band = f.BandFactory(year=other_year)
    period = f.PeriodFactory(band=band)
    deputy = client_for("deputy")
    assert (
        deputy.get(reverse("attestation:sheet", args=[other_class.pk, "year"])).status_code == 404
    )
    with time_machine.travel(AFTER_GRACE, tick=False):
        # Signed in at the travelled time: an idle session would expire on the jump.
        response = client_for("deputy").post(reverse("attestation:close", args=[period.pk]))
    assert response.status_code == 404
    assert not PeriodClosure.objects.exists()


def test_a_period_of_another_band_is_not_a_target(aw, client_for):
    url = reverse("attestation:entry", args=[aw.w.group.pk, aw.w.subject.pk, "p999999"])
    assert client_for("teacher").get(url).status_code == 404
    url = reverse("attestation:entry", args=[aw.w.group.pk, aw.w.subject.pk, "nonsense"])
    assert client_for("teacher").get(url).status_code == 404


@time_machine.travel(IN_WINDOW, tick=False)
def test_teacher_enters_marks_on_the_page_and_sees_them_after_reload(aw, client_for):
    w = aw.w
    s0, s1, s2 = w.students
    for d in (10, 17, 24):
        aw.mark(s0, dt.date(2026, 11, d), "5")
    client = client_for("teacher")
    url = _urls(aw)["entry"]
    page = client.get(url)
    assert "Мало отметок: 0 из необходимых 3" in page.content.decode()
    response = client.post(
        url,
        {f"mark_{s0.pk}": "5", f"mark_{s1.pk}": "н/а", f"mark_{s2.pk}": ""},
    )
    assert response.status_code == 302
    assert dict(PeriodMark.objects.values_list("student_id", "value")) == {
        s0.pk: "5",
        s1.pk: "na",
    }
    html = client.get(url).content.decode()
    assert 'value="5"' in html and 'value="н/а"' in html


@time_machine.travel(IN_WINDOW, tick=False)
def test_page_shows_row_errors_and_saves_nothing(aw, client_for):
    w = aw.w
    s0, s1, _ = w.students
    for d in (10, 17, 24):
        aw.mark(s0, dt.date(2026, 11, d), "5")
    response = client_for("teacher").post(
        _urls(aw)["entry"], {f"mark_{s0.pk}": "2", f"mark_{s1.pk}": "на"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Укажите обоснование в комментарии" in html
    assert "Отметки не сохранены" in html
    assert not PeriodMark.objects.exists()


@time_machine.travel(IN_WINDOW, tick=False)
@pytest.mark.parametrize("role", ["homeroom", "deputy", "director", "student", "outsider"])
def test_others_cannot_post_period_marks(aw, client_for, role):
    response = client_for(role).post(_urls(aw)["entry"], {f"mark_{aw.w.students[0].pk}": "na"})
    assert response.status_code == 404
    assert not PeriodMark.objects.exists()


def test_deputy_closes_and_reopens_on_the_closures_page(aw, client_for):
    with time_machine.travel(AFTER_GRACE, tick=False):
        deputy = client_for("deputy")
        assert deputy.post(reverse("attestation:close", args=[aw.q2.pk])).status_code == 302
        assert PeriodClosure.objects.get().is_closed
        response = deputy.post(reverse("attestation:reopen", args=[aw.q2.pk]), {"reason": ""})
        assert PeriodClosure.objects.get().is_closed
        response = deputy.post(
            reverse("attestation:reopen", args=[aw.q2.pk]),
            {"reason": "Пересдача по болезни"},
            follow=True,
        )
        assert "открыт повторно" in response.content.decode()
    assert not PeriodClosure.objects.get().is_closed


def test_director_reads_the_closures_page_without_close_or_reopen(aw, client_for):
    with time_machine.travel(AFTER_GRACE, tick=False):
        client_for("deputy").post(reverse("attestation:close", args=[aw.q2.pk]))
        director = client_for("director")
        html = director.get(reverse("attestation:closures")).content.decode()
        assert aw.q2.name in html and "закрыт" in html
        assert "Закрыть период" not in html and "Открыть повторно" not in html
        assert reverse("attestation:reopen", args=[aw.q2.pk]) not in html
        reopen = director.post(
            reverse("attestation:reopen", args=[aw.q2.pk]), {"reason": "Пересдача"}
        )
        assert reopen.status_code == 404
        index = director.get(reverse("attestation:index")).content.decode()
    assert PeriodClosure.objects.get().is_closed
    assert reverse("attestation:closures") in index
    assert reverse("attestation:objectivity") in index


def test_closing_too_early_shows_the_reason(aw, client_for):
    with time_machine.travel(IN_WINDOW, tick=False):
        response = client_for("deputy").post(
            reverse("attestation:close", args=[aw.q2.pk]), follow=True
        )
    assert "можно закрыть с 03.01.2027" in response.content.decode()
    assert not PeriodClosure.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "homeroom", "director", "admin", "parent"])
def test_only_the_deputy_can_post_close_reopen_and_decisions(aw, client_for, role):
    with time_machine.travel(AFTER_GRACE, tick=False):
        client = client_for(role)
        assert client.post(reverse("attestation:close", args=[aw.q2.pk])).status_code == 404
        assert (
            client.post(
                reverse("attestation:reopen", args=[aw.q2.pk]), {"reason": "Причина"}
            ).status_code
            == 404
        )
        response = client.post(
            _urls(aw)["decision"],
            {"kind": "transferred", "date": "2027-01-02", "protocol_number": "1"},
        )
        assert response.status_code == 404
    assert not PeriodClosure.objects.exists()
    assert not CouncilDecision.objects.exists()


@time_machine.travel("2027-05-30 12:00 +0300", tick=False)
def test_deputy_records_a_council_decision_shown_on_the_year_sheet(aw, client_for):
    deputy = client_for("deputy")
    response = deputy.post(
        _urls(aw)["decision"],
        {"kind": "transferred", "date": "2027-05-29", "protocol_number": "7", "text": ""},
    )
    assert response.status_code == 302
    html = deputy.get(_urls(aw)["sheet_year"]).content.decode()
    assert "Решение педагогического совета (дата, номер)" in html
    assert "переведён в 6 класс (протокол № 7 от 29.05.2027)" in html


def test_settings_page_saves_and_refuses_bad_thresholds(aw, client_for):
    client = client_for("admin")
    data = {
        "threshold_5": "4.6",
        "threshold_4": "3.6",
        "threshold_3": "2.6",
        "min_marks_1h": "3",
        "min_marks_2h": "5",
        "min_marks_3h": "7",
        "entry_window_days": "7",
        "closing_grace_days": "5",
        "require_written_work": "on",
    }
    assert client.post(_urls(aw)["settings"], data).status_code == 302
    from ejournal.attestation.models import AttestationSettings

    assert str(AttestationSettings.objects.get().threshold_5) == "4.60"
    bad = {**data, "threshold_4": "4.7"}
    response = client.post(_urls(aw)["settings"], bad)
    assert "Пороги должны возрастать" in response.content.decode()
    assert str(AttestationSettings.objects.get().threshold_4) == "3.60"

    # The director reads the settings in a disabled form and cannot change them.
    director = client_for("director")
    html = director.get(_urls(aw)["settings"]).content.decode()
    assert 'value="4.60"' in html and "disabled" in html
    assert "Сохранить" not in html
    assert director.post(_urls(aw)["settings"], {**data, "threshold_5": "4.8"}).status_code == 404
    assert str(AttestationSettings.objects.get().threshold_5) == "4.60"


# --- Query counts -------------------------------------------------------------------------


def _class_of(w, letter, n_students, n_subjects=1):
    school_class = f.ClassFactory(
        school=w.school, year=w.year, grade=5, letter=letter, homeroom_teacher=None
    )
    group = f.GroupFactory(school_class=school_class, name=f"5{letter}")
    subjects = [f.SubjectFactory(school=w.school) for _ in range(n_subjects)]
    for subject in subjects:
        f.load(group, subject, w.staff["teacher"])
    students = [f.StudentFactory(school=w.school) for _ in range(n_students)]
    for student in students:
        f.enroll(student, school_class)
    return school_class, group, subjects, students


def _entry_with_marks(aw, letter, n_students):
    from ejournal.journal.models import NUMERIC_MARKS, Mark, Work

    school_class, group, subjects, students = _class_of(aw.w, letter, n_students)
    subject = subjects[0]
    for d in (10, 17, 24):
        lesson = f.make_lesson(group, subject, aw.teacher, dt.date(2026, 11, d))
        work = Work.objects.create(lesson=lesson, work_type=aw.types["Контрольная работа"])
        Mark.objects.bulk_create(
            Mark(work=work, student=s, value="4", numeric=NUMERIC_MARKS["4"]) for s in students
        )
    return reverse("attestation:entry", args=[group.pk, subject.pk, f"p{aw.q2.pk}"])


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and settings rows
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(IN_WINDOW, tick=False)
def test_entry_page_queries_do_not_grow_with_students(aw, client_for):
    client = client_for("teacher")
    small = _count(client, _entry_with_marks(aw, "Б", 3))
    large = _count(client, _entry_with_marks(aw, "В", 30))
    assert small == large


@time_machine.travel(IN_WINDOW, tick=False)
def test_sheet_page_queries_do_not_grow_with_students_and_subjects(aw, client_for):
    from ejournal.attestation.models import PeriodMark as PM

    client = client_for("deputy")
    counts = []
    for letter, n_students, n_subjects in (("Б", 3, 2), ("В", 30, 15)):
        school_class, _group, subjects, students = _class_of(aw.w, letter, n_students, n_subjects)
        PM.objects.bulk_create(
            PM(
                school=aw.w.school,
                year=aw.w.year,
                student=s,
                subject=subj,
                kind="period",
                period=aw.q2,
                value="5",
            )
            for s in students
            for subj in subjects
        )
        counts.append(
            _count(client, reverse("attestation:sheet", args=[school_class.pk, f"p{aw.q2.pk}"]))
        )
    assert counts[0] == counts[1]


@time_machine.travel(IN_WINDOW, tick=False)
def test_index_page_queries_do_not_grow_with_loads(aw, client_for):
    client = client_for("teacher")
    small = _count(client, reverse("attestation:index"))
    for letter in "БВГДЕ":
        _class_of(aw.w, letter, 2, 3)
    large = _count(client, reverse("attestation:index"))
    assert small == large


def test_sheet_page_renders_each_students_counts_and_absences(aw, client_for):
    import re

    w = aw.w
    s0 = w.students[0]
    PeriodMark.objects.create(
        school=w.school,
        year=w.year,
        student=s0,
        subject=w.subject,
        kind="period",
        period=aw.q2,
        value="5",
    )
    from ejournal.journal.models import Attendance

    Attendance.objects.create(lesson=aw.lesson(dt.date(2026, 11, 9)), student=s0, code="b")
    html = client_for("homeroom").get(_urls(aw)["sheet"]).content.decode()
    cells = r'\s*<td class="num">(\S*)</td>'
    row = re.search(re.escape(s0.short_name) + "</td>" + cells * 9, html)
    assert row is not None
    # The mark; «5» «4» «3» «2» н/а; missed lessons, of them ill, excused.
    assert row.groups() == ("5", "1", "0", "0", "0", "0", "1", "1", "0")


def test_objectivity_page_lists_marks_departing_from_the_suggestion(aw, client_for):
    w = aw.w
    PeriodMark.objects.create(
        school=w.school,
        year=w.year,
        student=w.students[0],
        subject=w.subject,
        kind="period",
        period=aw.q2,
        value="5",
        suggested="3",
        needs_review=True,
        comment="Победитель олимпиады",
    )
    PeriodMark.objects.create(
        school=w.school,
        year=w.year,
        student=w.students[1],
        subject=w.subject,
        kind="period",
        period=aw.q2,
        value="4",
        suggested="4",
    )
    for role in ("deputy", "director"):
        html = client_for(role).get(_urls(aw)["objectivity"]).content.decode()
        assert "Победитель олимпиады" in html
        assert w.students[0].short_name in html
        assert w.students[1].short_name not in html
