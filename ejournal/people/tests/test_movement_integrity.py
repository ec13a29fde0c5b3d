"""Contingent data stays sound: one class at a time, plausible dates, orders before the
movement; a student who left takes no entry anywhere; a transferred student lands in the
new class's subgroups and their period average follows them."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from ejournal.accounts.models import Order, Student, StudentMovement
from ejournal.attestation import selectors as attestation_selectors
from ejournal.attestation import services as attestation_services
from ejournal.journal import selectors as journal_selectors
from ejournal.journal import services as journal_services
from ejournal.journal.models import Mark, Work, WorkType
from ejournal.people import movement
from ejournal.school.models import ClassEnrollment, GroupKind, GroupMembership, StudyPeriod
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
# The school's "today" for the birth-date checks, and inside the mark windows below.
NOW = "2026-11-20 10:00 +0300"


ORDER_DAY = D(2026, 11, 13)


def order(n="1", day=ORDER_DAY):
    return {"order_number": n, "order_date": day}


def new_pupil(world, **extra):
    data = {
        "school_class": world.school_class,
        "effective_date": D(2026, 11, 16),
        "actor": world.users["operator"],
        "last_name": "Новиков",
        "first_name": "Илья",
        "birth_date": D(2015, 3, 1),
        "sex": "m",
        **order("50-з"),
    }
    return movement.student_enroll(**{**data, **extra})


def nothing_recorded():
    return not (Order.objects.exists() or StudentMovement.objects.exists())


# --- Validation ---------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "extra, message",
    [
        ({"birth_date": D(2030, 1, 1)}, "ещё не наступила"),
        ({"birth_date": D(2022, 1, 1)}, "не подходит для 5 класса"),
        ({"birth_date": D(2004, 1, 1)}, "не подходит для 5 класса"),
        ({"order_date": D(2026, 11, 17)}, "позже даты движения"),
        ({"order_date": D(2025, 9, 1)}, "больше чем за год"),
        ({"order_number": "  "}, "номер приказа"),
    ],
)
def test_enrollment_with_bad_dates_or_order_is_refused_and_changes_nothing(world, extra, message):
    students = Student.objects.count()
    with pytest.raises(ValidationError, match=message):
        new_pupil(world, **extra)
    assert Student.objects.count() == students and nothing_recorded()


@time_machine.travel(NOW, tick=False)
def test_a_child_cannot_be_enrolled_in_two_classes_at_once(world, client_for):
    response = client_for("operator").post(
        reverse("people:enroll"),
        {
            "last_name": "Ученик00",
            "first_name": "Пётр",
            "birth_date": "2015-03-01",
            "sex": "m",
            "school_class": world.other_class.pk,
            "effective_date": "2026-11-16",
            "order_number": "50-з",
            "order_date": "2026-11-13",
        },
    )
    # A new person of the same name is fine; the same person again is not.
    assert response.status_code == 302
    newcomer = Student.objects.get(pk=StudentMovement.objects.get().student_id)
    with pytest.raises(ValidationError, match="уже зачислен"):
        movement.student_enroll(
            school_class=world.school_class,
            effective_date=D(2026, 11, 18),
            actor=world.users["operator"],
            student=newcomer,
            **order("51"),
        )
    assert ClassEnrollment.objects.filter(student=newcomer).count() == 1


@pytest.mark.parametrize(
    "date_from, date_to",
    [
        (D(2026, 10, 1), None),  # a second open enrollment
        (D(2026, 10, 1), D(2026, 10, 31)),  # a closed span inside the open one
        (D(2026, 9, 1), D(2026, 9, 30)),  # the same first day
    ],
)
def test_the_database_refuses_overlapping_enrollments(world, date_from, date_to):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClassEnrollment.objects.create(
            student=world.child,
            school_class=world.other_class,
            date_from=date_from,
            date_to=date_to,
        )
    current = ClassEnrollment.objects.get(student=world.child)
    current.date_to = D(2026, 10, 31)
    current.save()
    # Back to back is fine: the next span starts the day after.
    ClassEnrollment.objects.create(
        student=world.child, school_class=world.other_class, date_from=D(2026, 11, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        current.date_to = D(2026, 11, 1)
        current.save()


def test_leaving_needs_the_place_and_an_order_not_after_the_date(world):
    with pytest.raises(ValidationError, match="куда выбыл"):
        movement.student_leave(
            student=world.child,
            effective_date=D(2026, 12, 1),
            actor=world.users["operator"],
            **order(),
        )
    with pytest.raises(ValidationError, match="позже даты движения"):
        movement.student_leave(
            student=world.child,
            effective_date=D(2026, 12, 1),
            actor=world.users["operator"],
            to_place="МОУ СОШ №2, г. Тутаев",
            **order(day=D(2026, 12, 2)),
        )
    assert nothing_recorded()
    assert ClassEnrollment.objects.get(student=world.child).date_to is None


def test_no_movement_before_a_later_one(world):
    movement.student_transfer(
        student=world.child,
        to_class=world.other_class,
        effective_date=D(2026, 11, 16),
        actor=world.users["operator"],
        **order("45-у"),
    )
    with pytest.raises(ValidationError):
        movement.student_leave(
            student=world.child,
            effective_date=D(2026, 11, 1),
            actor=world.users["operator"],
            to_place="г. Москва",
            **order("46-у", D(2026, 10, 30)),
        )
    assert StudentMovement.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_places_are_kept_and_shown_on_the_card(world, client_for):
    moved = new_pupil(world, from_place="МОУ СОШ №3, г. Тутаев")
    client = client_for("operator")
    client.post(
        reverse("people:leave", args=[moved.student_id]),
        {
            "effective_date": "2026-12-01",
            "order_number": "60-у",
            "order_date": "2026-11-30",
            "to_place": "семейное образование",
        },
    )
    left = StudentMovement.objects.get(kind="leaving")
    assert left.to_place == "семейное образование"
    html = client.get(reverse("people:student_card", args=[moved.student_id])).content.decode()
    assert "прибыл из: МОУ СОШ №3, г. Тутаев" in html
    assert "выбыл в: семейное образование" in html


# --- Leaving: no entry anywhere after the date ----------------------------------------


def _stream(world, name="Робототехника (факультатив)"):
    group = f.GroupFactory(
        school_class=None,
        school=world.school,
        year=world.year,
        kind=GroupKind.STREAM,
        name=name,
    )
    subject = f.SubjectFactory(school=world.school, name="Робототехника")
    f.load(group, subject, world.staff["teacher"], Decimal("1"))
    f.add_member(world.child, group)
    return group, subject


def refusals(world, lesson) -> list[str]:
    """What the teacher is told on putting a mark and an absence for world.child."""
    actor, staff = world.users["teacher"], world.staff["teacher"]
    oral = WorkType.objects.get(school=world.school, name="Ответ на уроке")
    work = Work.objects.create(lesson=lesson, work_type=oral)
    entries = [
        (journal_services.mark_set, {"work": work, "value": "5"}),
        (journal_services.attendance_set, {"lesson": lesson, "value": "н"}),
    ]
    said = []
    for enter, fields in entries:
        with pytest.raises(ValidationError) as refused:
            enter(actor=actor, staff=staff, student=world.child, expected_version=None, **fields)
        said.append(" ".join(refused.value.messages))
    return said


def test_leaving_closes_streams_and_electives_and_no_entry_is_taken_after_it(world):
    stream, robotics = _stream(world)
    sub = f.GroupFactory(school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А 1")
    f.add_member(world.child, sub)
    journal_services.work_types_ensure_defaults(school=world.school)
    teacher = world.staff["teacher"]
    lessons = [
        f.make_lesson(stream, robotics, teacher, D(2026, 11, 18)),
        f.make_lesson(world.group, world.subject, teacher, D(2026, 11, 18), 2),
    ]
    movement.student_leave(
        student=world.child,
        effective_date=D(2026, 11, 17),
        actor=world.users["operator"],
        to_place="МОУ СОШ №2, г. Тутаев",
        **order("60-у", D(2026, 11, 16)),
    )
    ends = set(
        GroupMembership.objects.filter(student=world.child).values_list("date_to", flat=True)
    )
    assert ends == {D(2026, 11, 16)}
    with time_machine.travel("2026-11-18 12:00 +0300", tick=False):
        for lesson in lessons:
            said = refusals(world, lesson)
            assert all("не учится в группе" in message for message in said), said
    assert not Mark.objects.exists()


def test_a_group_row_left_open_by_old_data_takes_no_entry_once_the_student_left(world):
    stream, robotics = _stream(world)
    teacher = world.staff["teacher"]
    journal_services.work_types_ensure_defaults(school=world.school)
    # Enrollment ended without the movement service: the stream still lists the child.
    ClassEnrollment.objects.filter(student=world.child).update(date_to=D(2026, 11, 16))
    lesson = f.make_lesson(stream, robotics, teacher, D(2026, 11, 18))
    with time_machine.travel("2026-11-18 12:00 +0300", tick=False):
        said = refusals(world, lesson)
    assert all("не числится в школе на дату урока 18.11.2026" in m for m in said), said


# --- Transfer: subgroups and the period average ---------------------------------------


@time_machine.travel("2026-12-23 12:00 +0300", tick=False)
def test_a_transferred_students_period_average_includes_the_old_class_marks(world):
    teacher = world.staff["teacher"]
    new_group = f.GroupFactory(school_class=world.other_class, name="6Б")
    f.load(new_group, world.subject, teacher, Decimal("5"))
    journal_services.work_types_ensure_defaults(school=world.school)
    oral = WorkType.objects.get(school=world.school, name="Ответ на уроке")

    def mark(group, day, value):
        lesson = f.make_lesson(group, world.subject, teacher, day)
        work = Work.objects.create(lesson=lesson, work_type=oral)
        return Mark.objects.create(work=work, student=world.child, value=value, numeric=int(value))

    mark(world.group, D(2026, 11, 10), "5")
    movement.student_transfer(
        student=world.child,
        to_class=world.other_class,
        effective_date=D(2026, 11, 20),
        actor=world.users["operator"],
        **order("45-у"),
    )
    mark(new_group, D(2026, 11, 23), "3")
    # Entered in the old class after the transfer (before the entry rule existed).
    mark(world.group, D(2026, 11, 25), "2")

    period = StudyPeriod.objects.get(band__year=world.year, number=2)
    target = attestation_selectors.target_for(year=world.year, grade=6, slug=f"p{period.pk}")
    assert target is not None
    new_sheet = attestation_selectors.entry_sheet(
        group=new_group, subject=world.subject, target=target, today=D(2026, 12, 23)
    )
    row = new_sheet.row_for(world.child.pk)
    assert row is not None and row.gone == ""
    assert [(c.value, c.carried) for c in row.marks] == [("5", True), ("3", False)]
    assert row.summary.average == Decimal(4)
    old_sheet = attestation_selectors.entry_sheet(
        group=world.group, subject=world.subject, target=target, today=D(2026, 12, 23)
    )
    old_row = old_sheet.row_for(world.child.pk)
    assert old_row is not None and [c.value for c in old_row.marks] == ["5"]
    assert "выбыл(а) из группы 19.11.2026" in old_row.gone
    with pytest.raises(ValidationError, match="выбыл"):
        attestation_services.period_mark_set(
            actor=world.users["teacher"],
            staff=teacher,
            group=world.group,
            subject=world.subject,
            target=target,
            student=world.child,
            value="5",
            expected_version=None,
        )

    def grid_average(group) -> tuple[str, int]:
        grid = journal_selectors.journal_grid(
            group=group, subject=world.subject, start=period.start, end=period.end, staff=teacher
        )
        (row,) = [r for r in grid.rows if r.student.pk == world.child.pk]
        return row.average, row.carried

    # The journal's «Ср.» column agrees with the period-mark page.
    assert grid_average(new_group) == ("4,00", 1)
    assert grid_average(world.group) == ("5,00", 0)
