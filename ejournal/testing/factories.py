"""factory_boy factories for tests (and nothing else)."""

import datetime as dt
from decimal import Decimal

import factory

from ejournal.accounts.models import (
    MUNICIPAL_ROLES,
    Guardian,
    RoleAssignment,
    Sex,
    StaffMember,
    Student,
    StudentGuardian,
    User,
)
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    GradeBand,
    GroupKind,
    GroupMembership,
    Municipality,
    Region,
    School,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    Subject,
    TeachingLoad,
)

TEST_PASSWORD = "Correct-Horse-42"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = "Тестовая область"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Городской округ №{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"МБОУ «Школа №{n}»")
    short_name = factory.Sequence(lambda n: f"Школа №{n}")


class YearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/2027"
    start = dt.date(2026, 9, 1)
    end = dt.date(2027, 5, 31)


class BandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeBand

    year = factory.SubFactory(YearFactory)
    name = "1–9 классы"
    grade_from = 1
    grade_to = 9


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyPeriod

    band = factory.SubFactory(BandFactory)
    number = 1
    name = "1 четверть"
    start = dt.date(2026, 9, 1)
    end = dt.date(2026, 10, 25)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "Иванов"
    first_name = "Иван"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory)
    last_name = factory.Sequence(lambda n: f"Учителева{n}")
    first_name = "Анна"
    patronymic = "Петровна"
    position = "учитель"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    user = None
    last_name = factory.Sequence(lambda n: f"Ученик{n:03d}")
    first_name = "Пётр"
    patronymic = "Сергеевич"
    birth_date = dt.date(2015, 3, 1)
    sex = Sex.MALE


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    school = factory.SubFactory(SchoolFactory)
    user = None
    last_name = factory.Sequence(lambda n: f"Родителева{n}")
    first_name = "Мария"


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Предмет {n}")


class ClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    year = factory.LazyAttribute(lambda o: YearFactory(school=o.school))
    grade = 5
    letter = factory.Sequence(lambda n: "АБВГДЕЖ"[n % 7])


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    school = factory.LazyAttribute(lambda o: o.school_class.school)
    year = factory.LazyAttribute(lambda o: o.school_class.year)
    school_class = factory.SubFactory(ClassFactory)
    kind = GroupKind.WHOLE_CLASS
    name = factory.LazyAttribute(lambda o: f"{o.school_class} (весь класс)")


def enroll(student, school_class, date_from=dt.date(2026, 9, 1), date_to=None):
    return ClassEnrollment.objects.create(
        student=student, school_class=school_class, date_from=date_from, date_to=date_to
    )


def add_member(student, group, date_from=dt.date(2026, 9, 1), date_to=None):
    return GroupMembership.objects.create(
        student=student, group=group, date_from=date_from, date_to=date_to
    )


def grant(user, role, school=None, municipality=None):
    return RoleAssignment.objects.create(
        user=user,
        role=role,
        school=None if role in MUNICIPAL_ROLES else school,
        municipality=municipality if role in MUNICIPAL_ROLES else None,
    )


def load(group, subject, teacher, hours=Decimal("4")):
    return TeachingLoad.objects.create(
        group=group, subject=subject, teacher=teacher, hours_per_week=hours
    )


def link_guardian(student, guardian, relation="mother"):
    return StudentGuardian.objects.create(student=student, guardian=guardian, relation=relation)


def make_lesson(group, subject, teacher, date, number=1, start=(9, 0), end=(9, 45), **extra):
    """A dated lesson row, as materialisation from the timetable would create it."""
    import datetime as _dt

    from ejournal.schedule.models import Lesson

    return Lesson.objects.create(
        school=group.school,
        date=date,
        number=number,
        start_time=_dt.time(*start),
        end_time=_dt.time(*end),
        group=group,
        subject=subject,
        planned_teacher=teacher,
        **extra,
    )
