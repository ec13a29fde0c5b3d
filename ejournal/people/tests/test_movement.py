import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ejournal.accounts.models import Order, Student, StudentMovement
from ejournal.people import movement
from ejournal.school import selectors as school_selectors
from ejournal.school.models import ClassEnrollment, GroupKind, GroupMembership
from ejournal.testing import factories as f

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
D = dt.date


def order(n="1"):
    return {"order_number": n, "order_date": D(2026, 11, 13)}


def in_class(school_class, day):
    return set(school_selectors.students_of_class_on(school_class=school_class, day=day))


def test_transfer_closes_the_old_class_and_subgroups_and_opens_the_new(world):
    child = world.child
    sub = f.GroupFactory(school_class=world.school_class, name="1 подгруппа", kind="subgroup")
    f.add_member(child, sub)
    movement.student_transfer(
        student=child,
        to_class=world.other_class,
        effective_date=D(2026, 11, 16),
        actor=world.users["operator"],
        **order("45-у"),
    )
    assert child in in_class(world.school_class, D(2026, 11, 15))
    assert child not in in_class(world.school_class, D(2026, 11, 16))
    assert child in in_class(world.other_class, D(2026, 11, 16))
    assert GroupMembership.objects.get(student=child, group=sub).date_to == D(2026, 11, 15)
    m = StudentMovement.objects.get()
    assert (m.kind, m.from_class, m.to_class, str(m.order)) == (
        "transfer",
        world.school_class,
        world.other_class,
        "приказ № 45-у от 13.11.2026",
    )


def test_leaving_ends_the_enrollment(world):
    movement.student_leave(
        student=world.child,
        effective_date=D(2026, 12, 1),
        actor=world.users["operator"],
        to_place="МБОУ СОШ №5, г. Рыбинск",
        **order(),
    )
    assert world.child in in_class(world.school_class, D(2026, 11, 30))
    assert world.child not in in_class(world.school_class, D(2026, 12, 1))


def test_enroll_creates_the_student_and_refuses_a_double_enrollment(world):
    moved = movement.student_enroll(
        school_class=world.school_class,
        effective_date=D(2026, 11, 16),
        actor=world.users["operator"],
        last_name="Новиков",
        first_name="Илья",
        birth_date=D(2015, 3, 1),
        sex="m",
        **order("50-з"),
    )
    assert moved.student in in_class(world.school_class, D(2026, 11, 16))
    assert moved.student not in in_class(world.school_class, D(2026, 11, 15))
    with pytest.raises(ValidationError, match="уже зачислен"):
        movement.student_enroll(
            school_class=world.other_class,
            effective_date=D(2026, 11, 20),
            actor=world.users["operator"],
            student=moved.student,
            **order("51"),
        )
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"effective_date": D(2027, 8, 1)}, "вне учебного года"),
        ({"order_number": " "}, "номер приказа"),
        ({"to_class": "same"}, "уже учится"),
        ({"effective_date": D(2026, 9, 1)}, "не раньше"),
    ],
)
def test_bad_transfer_is_refused_and_changes_nothing(world, kwargs, message):
    data = {"effective_date": D(2026, 11, 16), "to_class": world.other_class, **order(), **kwargs}
    if data["to_class"] == "same":
        data["to_class"] = world.school_class
    with pytest.raises(ValidationError, match=message):
        movement.student_transfer(student=world.child, actor=world.users["operator"], **data)
    assert ClassEnrollment.objects.filter(student=world.child).count() == 1
    assert not Order.objects.exists() and not StudentMovement.objects.exists()


def transfer_through_the_card(client, world) -> str:
    """Transfer world.child to 6Б on 16.11 from the card; the page that follows."""
    response = client.post(
        reverse("people:transfer", args=[world.child.pk]),
        {
            "to_class": world.other_class.pk,
            "effective_date": "2026-11-16",
            "order_number": "45-у",
            "order_date": "2026-11-13",
        },
        follow=True,
    )
    return response.content.decode()


def test_transfer_through_the_card_and_history_shown(world, client_for):
    html = transfer_through_the_card(client_for("operator"), world)
    assert "Перевод оформлен" in html and "приказ № 45-у от 13.11.2026" in html


def _split(school_class, subject, teacher, sizes):
    groups = []
    for n, size in enumerate(sizes, start=1):
        group = f.GroupFactory(
            school_class=school_class, kind=GroupKind.SUBGROUP, name=f"{school_class} {subject} {n}"
        )
        f.load(group, subject, teacher, Decimal("3"))
        for _ in range(size):
            pupil = f.StudentFactory(school=school_class.school)
            f.enroll(pupil, school_class)
            f.add_member(pupil, group)
        groups.append(group)
    return groups


def test_transfer_puts_the_student_in_the_smaller_subgroup_and_names_what_it_could_not(
    world, client_for
):
    english = f.SubjectFactory(school=world.school, name="Английский язык")
    labour = f.SubjectFactory(school=world.school, name="Труд (технология)")
    teacher = world.staff["teacher"]
    _bigger, smaller = _split(world.other_class, english, teacher, [3, 2])
    (lonely,) = _split(world.other_class, labour, teacher, [2])
    html = transfer_through_the_card(client_for("operator"), world)
    assert f"включён в подгруппы: {smaller}" in html
    assert f"Подгруппа не выбрана: Труд (технология) (в классе одна подгруппа «{lonely}»)" in html
    joined = GroupMembership.objects.get(student=world.child)
    assert (joined.group, joined.date_from) == (smaller, D(2026, 11, 16))


def test_transfer_form_errors_in_russian(world, client_for):
    response = client_for("operator").post(
        reverse("people:transfer", args=[world.child.pk]), {"to_class": ""}, follow=True
    )
    assert "Перевод не оформлен" in response.content.decode()
    assert not StudentMovement.objects.exists()


@pytest.mark.parametrize("role", ["homeroom", "deputy", "teacher", "outsider", "parent"])
def test_only_operator_and_admin_move_students(world, client_for, role):
    client_for(role).post(
        reverse("people:leave", args=[world.child.pk]),
        {"effective_date": "2026-12-01", "order_number": "1", "order_date": "2026-11-13"},
    )
    assert not StudentMovement.objects.exists()


def test_enroll_page(world, client_for):
    client = client_for("operator")
    response = client.post(
        reverse("people:enroll"),
        {
            "last_name": "Новиков",
            "first_name": "Илья",
            "birth_date": "2015-03-01",
            "sex": "m",
            "school_class": world.school_class.pk,
            "effective_date": "2026-11-16",
            "order_number": "50-з",
            "order_date": "2026-11-13",
        },
    )
    assert response.status_code == 302
    assert Student.objects.filter(last_name="Новиков").exists()
    bad = client.post(reverse("people:enroll"), {"last_name": "Пустой"})
    assert "Обязательное поле" in bad.content.decode()
    assert not Student.objects.filter(last_name="Пустой").exists()


@pytest.mark.parametrize("role", ROLES)
def test_people_pages_roles(world, client_for, role):
    index = client_for(role).get(reverse("people:index")).status_code
    assert index == (
        200
        if role in {"admin", "operator", "deputy", "director", "homeroom", "teacher", "outsider"}
        else 404
    )
    page = client_for(role).get(reverse("people:enroll")).status_code
    assert page == (200 if role in {"admin", "operator", "outsider"} else 404)
