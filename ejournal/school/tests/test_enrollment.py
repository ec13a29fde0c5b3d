import datetime as dt

from ejournal.school import selectors
from ejournal.school.models import GroupKind
from ejournal.testing import factories as f


def test_who_was_in_the_class_on_a_date_follows_a_transfer(world):
    mover = f.StudentFactory(school=world.school, last_name="Переводов")
    # In 5А until 11 October, in 6Б from 12 October.
    f.enroll(mover, world.school_class, dt.date(2026, 9, 1), dt.date(2026, 10, 11))
    f.enroll(mover, world.other_class, dt.date(2026, 10, 12))

    before = selectors.students_of_class_on(
        school_class=world.school_class, day=dt.date(2026, 10, 11)
    )
    after = selectors.students_of_class_on(
        school_class=world.school_class, day=dt.date(2026, 10, 12)
    )
    other_after = selectors.students_of_class_on(
        school_class=world.other_class, day=dt.date(2026, 10, 12)
    )
    assert mover in before
    assert mover not in after
    assert mover in other_after
    assert (
        selectors.class_of_student_on(student=mover, day=dt.date(2026, 10, 12)) == world.other_class
    )


def test_student_enrolled_mid_year_is_absent_before_their_date(world):
    late = f.StudentFactory(school=world.school)
    f.enroll(late, world.school_class, dt.date(2026, 11, 10))
    assert late not in selectors.students_of_class_on(
        school_class=world.school_class, day=dt.date(2026, 11, 9)
    )
    assert late in selectors.students_of_class_on(
        school_class=world.school_class, day=dt.date(2026, 11, 10)
    )


def test_subgroup_membership_is_dated(world):
    sub = f.GroupFactory(
        school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А англ. 1"
    )
    s = world.students[1]
    f.add_member(s, sub, dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    assert s in selectors.students_of_group_on(group=sub, day=dt.date(2026, 12, 31))
    assert s not in selectors.students_of_group_on(group=sub, day=dt.date(2027, 1, 1))
    spans = selectors.group_member_spans(
        group=sub, start=dt.date(2026, 9, 1), end=dt.date(2027, 5, 31)
    )
    assert spans[s.pk][0].covers(dt.date(2026, 10, 1))


def test_whole_class_group_members_come_from_enrollment(world):
    members = selectors.students_of_group_on(group=world.group, day=dt.date(2026, 10, 1))
    assert set(members) == set(world.students)
