import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ejournal.accounts.models import CompromiseReport, User
from ejournal.audit.models import AuditEvent
from ejournal.core import registry
from ejournal.journal import services as journal
from ejournal.journal.models import Attendance, Homework, LessonRecord, Mark, Work
from ejournal.people import compromise
from ejournal.testing import factories as f
from ejournal.testing.registry import providers_set

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "director",
    "deputy",
    "teacher",
    "operator",
    "hr",
    "homeroom",
    "student",
    "parent",
    "other_parent",
    "outsider",
    "inspector",
]
ANY = journal.ANY_VERSION


def at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 11, 10, hour, minute))


@pytest.fixture
def scene(world):
    """The teacher's account is used by someone else from 10:00; the deputy fixes a mark."""
    teacher, deputy = world.users["teacher"], world.users["deputy"]
    lesson = f.make_lesson(
        world.group, world.subject, world.staff["teacher"], dt.date(2026, 11, 10)
    )
    journal.work_types_ensure_defaults(school=world.school)
    work = Work.objects.create(
        lesson=lesson, work_type=journal._default_work_type(lesson), created_by=teacher
    )
    a, b, c = world.students
    with time_machine.travel(at(9), tick=False):
        journal._apply_mark(
            actor=teacher, work=work, student=a, value="4", comment="", expected_version=None
        )
        journal._apply_record(
            actor=teacher, lesson=lesson, topic="Дроби", comment="", expected_version=None
        )
    with time_machine.travel(at(10, 30), tick=False):
        journal._apply_mark(
            actor=teacher, work=work, student=a, value="2", comment="", expected_version=ANY
        )
        journal._apply_mark(
            actor=teacher, work=work, student=c, value="5", comment="", expected_version=None
        )
        journal._apply_attendance(
            actor=teacher,
            lesson=lesson,
            student=b,
            code="n",
            late_minutes=None,
            expected_version=None,
        )
        journal._apply_record(
            actor=teacher, lesson=lesson, topic="Чужая тема", comment="", expected_version=ANY
        )
        homework = journal._apply_homework(
            actor=teacher,
            lesson=lesson,
            homework=None,
            text="Выучить всё",
            due_date=dt.date(2026, 11, 12),
            student_ids=[],
            expected_version=None,
        )
    with time_machine.travel(at(11), tick=False):
        journal._apply_mark(
            actor=deputy, work=work, student=c, value="3", comment="", expected_version=ANY
        )
    return {"lesson": lesson, "work": work, "homework": homework, "a": a, "b": b, "c": c}


def report(world, since=None, user=None):
    with time_machine.travel(at(12), tick=False):
        return compromise.compromise_report(
            user=user or world.users["teacher"],
            school=world.school,
            since=since or at(10),
            reported_by=world.users["admin"],
        )


def test_report_blocks_the_account_and_ends_its_sessions(world, client_for):
    client = client_for("teacher")
    assert client.get("/").status_code == 200
    report(world)
    user = User.objects.get(pk=world.users["teacher"].pk)
    assert not user.is_active
    assert client.get("/").status_code == 302


def test_future_moment_is_rejected_and_nothing_changes(world):
    with time_machine.travel(at(12), tick=False), pytest.raises(Exception, match="в будущем"):
        compromise.compromise_report(
            user=world.users["teacher"],
            school=world.school,
            since=at(13),
            reported_by=world.users["admin"],
        )
    assert User.objects.get(pk=world.users["teacher"].pk).is_active
    assert not CompromiseReport.objects.exists()


def test_lists_exactly_the_operations_after_the_moment(world, scene):
    changes = compromise.compromise_changes(report(world))
    shown = sorted((c.what, c.old_display, c.new_display) for c in changes)
    absent = next(c.new_display for c in changes if c.what == "посещаемость")
    assert absent != "—"
    assert shown == sorted(
        [
            ("отметка", "4", "2"),
            ("отметка", "—", "5"),
            ("посещаемость", "—", absent),
            ("тема урока", "Дроби", "Чужая тема"),
            ("домашнее задание", "—", "Выучить всё"),
        ]
    )
    kinds = sorted(c.what for c in changes)
    assert kinds == ["домашнее задание", "отметка", "отметка", "посещаемость", "тема урока"]
    conflicts = [c for c in changes if c.conflict]
    assert [c.object_id for c in conflicts] == [f"{scene['work'].pk}:{scene['c'].pk}"]


def test_revert_restores_previous_values_and_keeps_later_changes_by_others(world, scene):
    rep = report(world)
    reverted, conflicts = compromise.compromise_revert(report=rep, actor=world.users["admin"])
    assert reverted == 4 and len(conflicts) == 1
    work, lesson = scene["work"], scene["lesson"]
    assert Mark.objects.get(work=work, student=scene["a"]).value == "4"
    assert Mark.objects.get(work=work, student=scene["c"]).value == "3"  # the deputy's
    assert not Attendance.objects.filter(lesson=lesson, student=scene["b"]).exists()
    assert LessonRecord.objects.get(lesson=lesson).topic == "Дроби"
    assert not Homework.objects.filter(pk=scene["homework"].pk).exists()
    reverts = AuditEvent.objects.filter(reason__startswith="отмена операций по акту")
    assert reverts.count() == 4
    assert set(reverts.values_list("actor", flat=True)) == {world.users["admin"].pk}
    with pytest.raises(Exception, match="уже отменены"):
        compromise.compromise_revert(report=rep, actor=world.users["admin"])


def test_operations_before_the_moment_are_not_listed(world, scene):
    changes = compromise.compromise_changes(report(world, since=at(11, 30)))
    assert changes == []


def test_act_pdf_lists_the_operations(world, scene, client_for):
    rep = report(world)
    response = client_for("admin").get(reverse("people:compromise_act", args=[rep.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "АКТ" in text and "teacher" in text and "Чужая тема" in text and "Дроби" in text


def test_self_report_returns_the_act_and_blocks(world, client_for):
    client = client_for("parent")
    with time_machine.travel(at(12), tick=False):
        response = client.post(reverse("people:compromise_own"), {"since": "2026-11-10T11:00"})
    assert response["Content-Type"] == "application/pdf"
    assert not User.objects.get(pk=world.users["parent"].pk).is_active


def test_self_report_bad_moment_shows_a_russian_error(world, client_for):
    response = client_for("parent").post(reverse("people:compromise_own"), {"since": "вчера"})
    assert "Введите правильную дату" in response.content.decode() or response.status_code == 200
    assert User.objects.get(pk=world.users["parent"].pk).is_active


@time_machine.travel(at(12), tick=False)
def test_admin_reports_by_login_reverts_and_reissues(world, scene, client_for):
    admin = client_for("admin")
    response = admin.post(
        reverse("people:compromise_list"),
        {"login": "teacher", "since": "2026-11-10T10:00", "note": "пароль видели"},
    )
    rep = CompromiseReport.objects.get()
    assert response.status_code == 302
    html = admin.get(reverse("people:compromise_detail", args=[rep.pk])).content.decode()
    assert "Чужая тема" in html and "конфликт" in html
    admin.post(reverse("people:compromise_revert", args=[rep.pk]))
    assert Mark.objects.get(work=scene["work"], student=scene["a"]).value == "4"
    response = admin.post(reverse("people:compromise_reissue", args=[rep.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    password = text.split("Пароль")[1].split()[0]
    user = User.objects.get(pk=world.users["teacher"].pk)
    assert user.is_active and user.must_change_password and user.check_password(password)


def test_unknown_login_is_refused(world, client_for):
    response = client_for("admin").post(
        reverse("people:compromise_list"), {"login": "outsider", "since": "2026-11-10T10:00"}
    )
    assert "нет учётной записи" in response.content.decode()
    assert not CompromiseReport.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_report_pages_roles(world, client_for, role):
    victim = f.UserFactory(username="victim")
    f.grant(victim, "teacher", world.school)
    rep = report(world, user=victim)
    allowed = {"admin", "director"}
    detail = client_for(role).get(reverse("people:compromise_detail", args=[rep.pk]))
    assert detail.status_code == (200 if role in allowed else 404)
    listing = client_for(role).get(reverse("people:compromise_list"))
    assert listing.status_code == (200 if role in allowed | {"outsider"} else 404)
    own = client_for(role).get(reverse("people:compromise_own")).status_code
    assert own == (404 if role == "inspector" else 200)


@pytest.mark.parametrize("role", ["director", "deputy", "homeroom", "outsider"])
def test_only_the_administrator_reverts(world, scene, client_for, role):
    rep = report(world)
    assert (
        client_for(role).post(reverse("people:compromise_revert", args=[rep.pk])).status_code == 404
    )
    assert Mark.objects.get(work=scene["work"], student=scene["a"]).value == "2"


def test_detail_query_count_does_not_grow(world, scene, client_for, django_assert_max_num_queries):
    rep = report(world)
    admin = client_for("admin")
    url = reverse("people:compromise_detail", args=[rep.pk])
    with django_assert_max_num_queries(30) as small:
        admin.get(url)
    with time_machine.travel(at(11, 30), tick=False):
        for s in world.students:
            journal._apply_attendance(
                actor=world.users["teacher"],
                lesson=scene["lesson"],
                student=s,
                code="b",
                late_minutes=None,
                expected_version=ANY,
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin.get(url)


def test_report_runs_the_access_revokers_inside_its_transaction(world, monkeypatch):
    seen = []

    def revoke_tokens(user, *, actor, reason):
        seen.append((user.pk, User.objects.get(pk=user.pk).is_active))

    providers_set(monkeypatch, registry.ACCESS_REVOKERS, revoke_tokens)
    report(world)
    assert seen == [(world.users["teacher"].pk, False)]


def test_a_failing_access_revoker_rolls_the_report_back(world, monkeypatch):
    def broken(user, *, actor, reason):
        raise RuntimeError("token store unavailable")

    providers_set(monkeypatch, registry.ACCESS_REVOKERS, broken)
    with pytest.raises(RuntimeError):
        report(world)
    assert not CompromiseReport.objects.exists()
    assert User.objects.get(pk=world.users["teacher"].pk).is_active


def test_other_operations_since_the_moment_are_listed_as_invalid(world, client_for):
    from ejournal.audit import services as audit

    teacher = world.users["teacher"]
    for hour, action in ((9, "message.before"), (10, "message.sent")):
        with time_machine.travel(at(hour, 45), tick=False):
            audit.record(action=action, actor=teacher, school=world.school, object_id=7)
    rep = report(world)
    assert [e.action for e in compromise.compromise_other_operations(rep)] == ["message.sent"]
    admin = client_for("admin")
    html = admin.get(reverse("people:compromise_detail", args=[rep.pk])).content.decode()
    assert "message.sent" in html and "message.before" not in html
    response = admin.get(reverse("people:compromise_act", args=[rep.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "message.sent" in text and "Иные действия" in text


def test_act_about_a_pseudonymised_students_account_carries_the_order(world, client_for):
    from ejournal.people import services as people_services

    child = world.child
    child.last_name = "Засекреченов"
    child.save()
    guardian = child.guardians.get()
    people_services.consent_record(
        guardian=guardian,
        status="revoked",
        date=dt.date(2026, 11, 10),
        document="отзыв",
        actor=world.users["operator"],
    )
    people_services.student_pseudonymise(
        student=child,
        order_number="12-о",
        order_date=dt.date(2026, 11, 10),
        actor=world.users["operator"],
    )
    rep = report(world, user=world.users["student"])
    response = client_for("admin").get(reverse("people:compromise_act", args=[rep.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ученик 1" in text and "приказ № 12-о от 10.11.2026" in text
    assert "Засекреченов" not in text
