"""Classes, subjects, curriculum, study groups with dated membership, teaching load."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.school import services
from ejournal.school.models import (
    CurriculumEntry,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StudyGroup,
    Subject,
    TeachingLoad,
)
from ejournal.school.tests.structure_helpers import audit_actions, db_state
from ejournal.testing import factories as f


@pytest.fixture
def admin(client_for):
    return client_for("admin")


def _post_rejected(client, url, data, message):
    state = db_state()
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_state() == state


def _class_data(**overrides):
    data = {"grade": "7", "letter": "в", "homeroom_teacher": "", "room": "21", "shift": "1"}
    data.update(overrides)
    return data


# --- classes ------------------------------------------------------------------------


def test_admin_creates_a_class_with_homeroom_teacher(admin, world):
    teacher = world.staff["teacher"]
    response = admin.post(
        reverse("school:class_create", args=[world.year.pk]),
        _class_data(homeroom_teacher=teacher.pk),
    )
    assert response.status_code == 302
    cls = SchoolClass.objects.get(year=world.year, grade=7)
    assert (cls.letter, cls.homeroom_teacher, cls.school) == ("В", teacher, world.school)
    event = AuditEvent.objects.get(action="school_class.created")
    assert event.after["homeroom_teacher"] == teacher.pk
    assert event.after["letter"] == "В"


def test_twelfth_grade_class_is_refused(admin, world):
    _post_rejected(
        admin,
        reverse("school:class_create", args=[world.year.pk]),
        _class_data(grade="12"),
        "Параллель: класс 12 не существует — в школе классы с 1 по 11.",
    )


def test_grade_zero_is_refused_by_the_service(world):
    with pytest.raises(ValidationError, match="класс 0 не существует"):
        services.school_class_create(year=world.year, grade=0, letter="А", actor=None)


def test_duplicate_class_name_in_a_year_is_refused(admin, world):
    _post_rejected(
        admin,
        reverse("school:class_create", args=[world.year.pk]),
        _class_data(grade="5", letter="а"),
        "Класс 5А в учебном году 2026/2027 уже есть.",
    )


def test_renaming_a_class_onto_another_is_refused(admin, world):
    other = world.other_class
    _post_rejected(
        admin,
        reverse("school:class_edit", args=[other.pk]),
        _class_data(grade="5", letter="А", homeroom_teacher=other.homeroom_teacher_id),
        "Класс 5А в учебном году 2026/2027 уже есть.",
    )


def test_homeroom_teacher_of_another_school_is_not_a_choice(admin, world):
    stranger = f.StaffFactory(school=world.other_school, last_name="Чужаков")
    page = admin.get(reverse("school:class_create", args=[world.year.pk])).content.decode()
    assert "Чужаков" not in page
    _post_rejected(
        admin,
        reverse("school:class_create", args=[world.year.pk]),
        _class_data(homeroom_teacher=stranger.pk),
        "Выберите корректный вариант",
    )


def test_homeroom_teacher_of_another_school_is_refused_by_the_service(world):
    stranger = f.StaffFactory(school=world.other_school)
    state = db_state()
    with pytest.raises(ValidationError, match="только сотрудник этой школы"):
        services.school_class_update(
            school_class=world.school_class,
            grade=5,
            letter="А",
            homeroom_teacher=stranger,
            room="",
            shift=1,
            actor=None,
        )
    world.school_class.refresh_from_db()
    assert world.school_class.homeroom_teacher == world.staff["homeroom"]
    assert db_state() == state


def test_class_update_audits_the_homeroom_change(admin, world):
    cls = world.other_class
    admin.post(
        reverse("school:class_edit", args=[cls.pk]),
        _class_data(grade="6", letter="Б", homeroom_teacher=world.staff["deputy"].pk, room=""),
    )
    event = AuditEvent.objects.get(action="school_class.updated")
    assert event.before == {"homeroom_teacher": world.staff["teacher"].pk}
    assert event.after == {"homeroom_teacher": world.staff["deputy"].pk}


# --- subjects -------------------------------------------------------------------------


def test_subject_with_flags_is_created_and_audited(admin, world):
    admin.post(
        reverse("school:subject_create"),
        {"name": "ОРКСЭ", "short_name": "ОРКСЭ", "is_no_mark": "on"},
    )
    subject = Subject.objects.get(school=world.school, name="ОРКСЭ")
    assert subject.is_no_mark and not subject.is_physical_education
    assert AuditEvent.objects.get(action="subject.created").after["is_no_mark"] is True


def test_duplicate_subject_is_refused(admin, world):
    _post_rejected(
        admin,
        reverse("school:subject_create"),
        {"name": "математика"},
        "Предмет «Математика» уже есть.",
    )


def test_subject_edit_sets_physical_education(admin, world):
    admin.post(
        reverse("school:subject_edit", args=[world.subject.pk]),
        {"name": "Математика", "is_physical_education": "on"},
    )
    world.subject.refresh_from_db()
    assert world.subject.is_physical_education
    assert audit_actions() == ["subject.updated"]


# --- curriculum ------------------------------------------------------------------------


def test_grade_line_class_override_and_individual_plan(admin, world):
    url = reverse("school:curriculum_create", args=[world.year.pk])
    subject = world.subject.pk
    admin.post(url, {"subject": subject, "target": "grade", "grade": "5", "hours_per_week": "5"})
    admin.post(
        url,
        {
            "subject": subject,
            "target": "class",
            "school_class": world.school_class.pk,
            "hours_per_week": "6",
        },
    )
    admin.post(
        url,
        {
            "subject": subject,
            "target": "student",
            "student": world.students[1].pk,
            "hours_per_week": "1,5",
        },
    )
    grade_line = CurriculumEntry.objects.get(school_class=None, student=None)
    override = CurriculumEntry.objects.get(school_class=world.school_class)
    individual = CurriculumEntry.objects.get(student=world.students[1])
    assert (grade_line.grade, grade_line.hours_per_week) == (5, Decimal("5"))
    assert (override.grade, override.hours_per_week) == (5, Decimal("6"))
    assert (individual.grade, individual.hours_per_week) == (5, Decimal("1.5"))
    assert audit_actions() == ["curriculum_entry.created"] * 3
    body = admin.get(reverse("school:curriculum", args=[world.year.pk])).content.decode()
    assert "индивидуальный план" in body and "класс 5А" in body


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "Количество часов не может быть отрицательным."),
        ("0", "Количество часов должно быть больше нуля."),
    ],
)
def test_curriculum_grade_line_needs_positive_hours(admin, world, hours, message):
    _post_rejected(
        admin,
        reverse("school:curriculum_create", args=[world.year.pk]),
        {"subject": world.subject.pk, "target": "grade", "grade": "5", "hours_per_week": hours},
        message,
    )


def test_curriculum_for_twelfth_grade_is_refused(admin, world):
    _post_rejected(
        admin,
        reverse("school:curriculum_create", args=[world.year.pk]),
        {"subject": world.subject.pk, "target": "grade", "grade": "12", "hours_per_week": "2"},
        "Параллель: класс 12 не существует — в школе классы с 1 по 11.",
    )


def test_curriculum_duplicate_line_is_refused(admin, world):
    CurriculumEntry.objects.create(
        year=world.year, subject=world.subject, grade=5, hours_per_week=Decimal("5")
    )
    _post_rejected(
        admin,
        reverse("school:curriculum_create", args=[world.year.pk]),
        {"subject": world.subject.pk, "target": "grade", "grade": "5", "hours_per_week": "4"},
        "Для 5 классов часы по предмету «Математика» уже заданы",
    )


def test_curriculum_subject_of_another_school_is_refused(world):
    foreign = f.SubjectFactory(school=world.other_school)
    state = db_state()
    with pytest.raises(ValidationError, match="Предмет не найден в этой школе"):
        services.curriculum_entry_create(
            year=world.year, subject=foreign, grade=5, hours_per_week=Decimal("2"), actor=None
        )
    assert db_state() == state


def test_class_override_may_be_zero(world):
    entry = services.curriculum_entry_create(
        year=world.year,
        subject=world.subject,
        school_class=world.school_class,
        hours_per_week=Decimal("0"),
        actor=None,
    )
    assert entry.hours_per_week == 0


def test_curriculum_hours_edit_and_delete_are_audited(admin, world):
    entry = CurriculumEntry.objects.create(
        year=world.year, subject=world.subject, grade=5, hours_per_week=Decimal("5")
    )
    admin.post(reverse("school:curriculum_edit", args=[entry.pk]), {"hours_per_week": "4.5"})
    entry.refresh_from_db()
    assert entry.hours_per_week == Decimal("4.5")
    admin.post(reverse("school:curriculum_delete", args=[entry.pk]))
    assert not CurriculumEntry.objects.filter(pk=entry.pk).exists()
    assert audit_actions() == ["curriculum_entry.updated", "curriculum_entry.deleted"]
    assert AuditEvent.objects.get(action="curriculum_entry.updated").after == {
        "hours_per_week": "4.5"
    }


# --- study groups and membership --------------------------------------------------------


@pytest.fixture
def subgroup(world):
    return f.GroupFactory(
        school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А англ. 1"
    )


def test_admin_creates_a_subgroup_and_lands_on_it(admin, world):
    response = admin.post(
        reverse("school:group_create", args=[world.year.pk]),
        {"name": "5А инф. 2", "kind": "subgroup", "school_class": world.school_class.pk},
    )
    group = StudyGroup.objects.get(name="5А инф. 2")
    assert response.url == reverse("school:group_detail", args=[group.pk])
    assert (group.school, group.year, group.kind) == (world.school, world.year, "subgroup")
    assert audit_actions() == ["study_group.created"]


def test_subgroup_without_class_is_refused(admin, world):
    _post_rejected(
        admin,
        reverse("school:group_create", args=[world.year.pk]),
        {"name": "Без класса", "kind": "subgroup", "school_class": ""},
        "Для группы «весь класс» или подгруппы укажите класс.",
    )


def test_stream_across_classes_needs_no_class(admin, world):
    admin.post(
        reverse("school:group_create", args=[world.year.pk]),
        {"name": "Факультатив «Робототехника»", "kind": "stream"},
    )
    assert StudyGroup.objects.get(kind="stream").school_class is None


def test_student_is_added_and_later_leaves_with_dates(admin, world, subgroup):
    student = world.students[1]
    admin.post(
        reverse("school:group_member_add", args=[subgroup.pk]),
        {"student": student.pk, "date_from": "2026-09-01", "date_to": ""},
    )
    membership = GroupMembership.objects.get(group=subgroup, student=student)
    assert membership.date_to is None
    admin.post(
        reverse("school:membership_edit", args=[membership.pk]),
        {"date_from": "2026-09-01", "date_to": "2026-12-31"},
    )
    membership.refresh_from_db()
    assert membership.date_to == dt.date(2026, 12, 31)
    assert audit_actions() == ["group_membership.created", "group_membership.updated"]
    assert AuditEvent.objects.get(action="group_membership.updated").after == {
        "date_to": "2026-12-31"
    }


def test_subgroup_member_must_be_in_the_class_on_those_dates(admin, world, subgroup):
    mover = f.StudentFactory(school=world.school, last_name="Переводов", first_name="Олег")
    f.enroll(mover, world.school_class, dt.date(2026, 9, 1), dt.date(2026, 10, 11))
    f.enroll(mover, world.other_class, dt.date(2026, 10, 12))
    _post_rejected(
        admin,
        reverse("school:group_member_add", args=[subgroup.pk]),
        {"student": mover.pk, "date_from": "2026-09-01", "date_to": "2026-12-31"},
        "Ученик Переводов О.С. не учится в классе 5А на все даты членства",
    )
    # Within the enrollment the same student is welcome.
    services.group_membership_create(
        group=subgroup,
        student=mover,
        date_from=dt.date(2026, 9, 1),
        date_to=dt.date(2026, 10, 11),
        actor=None,
    )


def test_subgroup_member_from_another_class_is_refused(admin, world, subgroup):
    _post_rejected(
        admin,
        reverse("school:group_member_add", args=[subgroup.pk]),
        {"student": world.other_child.pk, "date_from": "2026-09-01", "date_to": ""},
        "не учится в классе 5А на все даты членства",
    )


def test_membership_ending_before_it_starts_is_refused(admin, world, subgroup):
    membership = f.add_member(world.students[1], subgroup)
    _post_rejected(
        admin,
        reverse("school:membership_edit", args=[membership.pk]),
        {"date_from": "2026-12-01", "date_to": "2026-11-01"},
        "Дата окончания не может быть раньше даты начала (членство в группе).",
    )
    membership.refresh_from_db()
    assert membership.date_to is None


def test_overlapping_membership_of_the_same_student_is_refused(admin, world, subgroup):
    f.add_member(world.students[1], subgroup, dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    _post_rejected(
        admin,
        reverse("school:group_member_add", args=[subgroup.pk]),
        {"student": world.students[1].pk, "date_from": "2026-12-01", "date_to": ""},
        "уже состоит в группе «5А англ. 1» в эти даты",
    )


def test_whole_class_group_takes_no_members(world):
    state = db_state()
    with pytest.raises(ValidationError, match="определяется зачислением в класс"):
        services.group_membership_create(
            group=world.group,
            student=world.students[0],
            date_from=dt.date(2026, 9, 1),
            date_to=None,
            actor=None,
        )
    assert db_state() == state


def test_student_of_another_school_is_refused_for_a_stream(world):
    stream = StudyGroup.objects.create(
        school=world.school, year=world.year, name="Поток", kind=GroupKind.STREAM
    )
    foreign = f.StudentFactory(school=world.other_school)
    with pytest.raises(ValidationError, match="Ученик не найден в этой школе"):
        services.group_membership_create(
            group=stream, student=foreign, date_from=dt.date(2026, 9, 1), date_to=None, actor=None
        )
    assert not GroupMembership.objects.exists()


def test_membership_delete_is_audited(admin, world, subgroup):
    membership = f.add_member(world.students[1], subgroup)
    admin.post(reverse("school:membership_delete", args=[membership.pk]))
    assert not GroupMembership.objects.exists()
    assert audit_actions() == ["group_membership.deleted"]


# --- teaching load ------------------------------------------------------------------------


def _load_data(world, **overrides):
    data = {
        "teacher": world.staff["teacher"].pk,
        "group": world.group.pk,
        "subject": f.SubjectFactory(school=world.school, name="Русский язык").pk,
        "hours_per_week": "5",
    }
    data.update(overrides)
    return data


def test_admin_adds_teaching_load(admin, world):
    admin.post(reverse("school:load_create", args=[world.year.pk]), _load_data(world))
    load = TeachingLoad.objects.get(subject__name="Русский язык")
    assert (load.teacher, load.group, load.hours_per_week) == (
        world.staff["teacher"],
        world.group,
        Decimal("5"),
    )
    event = AuditEvent.objects.get(action="teaching_load.created")
    assert event.after["hours_per_week"] == "5"


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "Количество часов должно быть больше нуля."),
        ("-2", "Количество часов не может быть отрицательным."),
    ],
)
def test_load_needs_positive_hours(admin, world, hours, message):
    _post_rejected(
        admin,
        reverse("school:load_create", args=[world.year.pk]),
        _load_data(world, hours_per_week=hours),
        message,
    )


def test_load_for_teacher_of_another_school_is_refused(admin, world):
    stranger = f.StaffFactory(school=world.other_school)
    _post_rejected(
        admin,
        reverse("school:load_create", args=[world.year.pk]),
        _load_data(world, teacher=stranger.pk),
        "Выберите корректный вариант",
    )
    state = db_state()
    with pytest.raises(ValidationError, match="Учитель не найден среди сотрудников этой школы"):
        services.teaching_load_create(
            school=world.school,
            group=world.group,
            subject=world.subject,
            teacher=stranger,
            hours_per_week=Decimal("2"),
            actor=None,
        )
    assert db_state() == state


def test_load_for_group_or_subject_of_another_school_is_refused(world):
    foreign_class = f.ClassFactory(school=world.other_school)
    foreign_group = f.GroupFactory(school_class=foreign_class)
    foreign_subject = f.SubjectFactory(school=world.other_school)
    state = db_state()
    with pytest.raises(ValidationError, match="Группа не найдена в этой школе"):
        services.teaching_load_create(
            school=world.school,
            group=foreign_group,
            subject=world.subject,
            teacher=world.staff["teacher"],
            hours_per_week=Decimal("2"),
            actor=None,
        )
    with pytest.raises(ValidationError, match="Предмет не найден в этой школе"):
        services.teaching_load_create(
            school=world.school,
            group=world.group,
            subject=foreign_subject,
            teacher=world.staff["teacher"],
            hours_per_week=Decimal("2"),
            actor=None,
        )
    assert db_state() == state


def test_load_edit_of_hours_is_audited_and_refused_when_zero(admin, world):
    load = world.group.loads.get()
    data = {
        "teacher": load.teacher_id,
        "group": load.group_id,
        "subject": load.subject_id,
        "hours_per_week": "4",
    }
    admin.post(reverse("school:load_edit", args=[load.pk]), data)
    load.refresh_from_db()
    assert load.hours_per_week == Decimal("4")
    event = AuditEvent.objects.get(action="teaching_load.updated")
    assert (event.before, event.after) == ({"hours_per_week": "5.0"}, {"hours_per_week": "4"})
    _post_rejected(
        admin,
        reverse("school:load_edit", args=[load.pk]),
        {**data, "hours_per_week": "0"},
        "Количество часов должно быть больше нуля.",
    )
