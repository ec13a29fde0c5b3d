"""The movement report adds up: for every class and every month, the students at the
start, plus those who arrived, minus those who left, are the students at the end — on
the demo school and after any sequence of enrollments, imports, transfers and leavings."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ejournal.accounts.models import Role, Student, StudentMovement, User
from ejournal.demo.builder import DemoOptions, seed_demo
from ejournal.people import contingent_import, movement
from ejournal.reports import services
from ejournal.reports.permissions import make_scope
from ejournal.reports.registry import get_report
from ejournal.school.models import AcademicYear, ClassEnrollment
from ejournal.testing import factories as f

# Slow (hypothesis over movement sequences): `make test` runs it, `make test-fast` does not.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

NOW = "2027-06-10 12:00 +0300"


def months(year: AcademicYear) -> list[tuple[dt.date, dt.date]]:
    ranges = []
    day = year.start
    while day <= year.end:
        following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        ranges.append((day, min(following - dt.timedelta(days=1), year.end)))
        day = following
    return ranges


def movement_report(*, school, year, user, start, end):
    report = get_report("movement")
    scope = make_scope(
        user=user,
        roles=frozenset({Role.DEPUTY}),
        school=school,
        municipality=None,
        staff=None,
        report=report,
    )
    return services.report_build(
        report=report,
        scope=scope,
        data={"year": year.name, "start": start.isoformat(), "end": end.isoformat()},
    )


def assert_balanced(*, school, year, user, ranges):
    for start, end in ranges:
        result = movement_report(school=school, year=year, user=user, start=start, end=end)
        for name, at_start, arrived, left, at_end in result.tables[0].rows:
            assert at_start + arrived - left == at_end, (name, start, end)
        assert not any("Не сходится" in note for note in result.notes), result.notes


def assert_one_class_at_a_time():
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for student_id, start, end in ClassEnrollment.objects.values_list(
        "student_id", "date_from", "date_to"
    ):
        spans.setdefault(student_id, []).append((start, end or dt.date.max))
    for student_spans in spans.values():
        student_spans.sort()
        for (_, end), (start, _) in zip(student_spans, student_spans[1:], strict=False):
            assert end < start


# --- The demo school ---------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_movement_report_balances_every_month_on_the_demo_school(db):
    build = seed_demo(
        options=DemoOptions(classes_per_grade=2, students_per_class=3, seed=5),
        today=dt.date(2027, 6, 10),
    )
    year = build.year
    assert year is not None
    user = User.objects.get(username="deputy")
    assert StudentMovement.objects.filter(kind="transfer").count() == 1
    assert not StudentMovement.objects.exclude(order__kind=F("kind")).exists()
    # The range before the year's first day sees the classes formed by their order.
    before = (year.start - dt.timedelta(days=10), year.start + dt.timedelta(days=10))
    assert_balanced(school=build.school, year=year, user=user, ranges=[before, *months(year)])
    assert_one_class_at_a_time()


# --- Random movement sequences -----------------------------------------------------------

YEAR_DAYS = (dt.date(2027, 5, 31) - dt.date(2026, 9, 1)).days


def _day(offset: int) -> dt.date:
    return dt.date(2026, 9, 1) + dt.timedelta(days=offset)


step = st.one_of(
    st.tuples(st.just("enroll"), st.integers(0, 2), st.integers(0, YEAR_DAYS)),
    st.tuples(st.just("import"), st.integers(0, 2), st.integers(0, YEAR_DAYS)),
    st.tuples(
        st.just("transfer"), st.integers(0, 40), st.integers(0, 2), st.integers(0, YEAR_DAYS)
    ),
    st.tuples(st.just("leave"), st.integers(0, 40), st.integers(0, YEAR_DAYS)),
    st.tuples(
        st.just("reenroll"), st.integers(0, 40), st.integers(0, 2), st.integers(0, YEAR_DAYS)
    ),
)


class Sequence:
    """Applies the steps through the services, as the operator would."""

    def __init__(self, world, classes):
        self.world = world
        self.classes = classes
        self.actor = world.users["operator"]
        self.count = 0

    def students(self) -> list[Student]:
        return list(Student.objects.filter(movements__isnull=False).distinct().order_by("pk"))

    def pick(self, n: int) -> Student | None:
        students = self.students()
        return students[n % len(students)] if students else None

    def order(self, day: dt.date) -> dict:
        self.count += 1
        return {"order_number": f"{self.count}-у", "order_date": day, "actor": self.actor}

    def run(self, kind: str, *args) -> None:
        getattr(self, kind)(*args)

    def enroll(self, c: int, offset: int) -> None:
        day = _day(offset)
        movement.student_enroll(
            school_class=self.classes[c],
            effective_date=day,
            last_name=f"Новый{self.count:03d}",
            first_name="Иван",
            birth_date=dt.date(2015 - self.classes[c].grade + 5, 4, 1),
            sex="m",
            from_place="МОУ СОШ №3",
            **self.order(day),
        )

    def import_(self, c: int, offset: int) -> None:
        day = _day(offset)
        school_class = self.classes[c]
        self.count += 1
        born = f"01.04.{2015 - school_class.grade + 5}"
        lines = [
            ";".join(contingent_import.COLUMNS),
            f"{school_class};Загружен{self.count:03d};Олег;;{born};м",
            f"{school_class};Загружен{self.count:03d};Анна;;{born};ж",
        ]
        result = contingent_import.apply(
            school=self.world.school,
            year=self.world.year,
            name="list.csv",
            content="\n".join(lines).encode(),
            enroll_from=day,
            actor=self.actor,
            order_number=f"{self.count}-з",
            order_date=day,
        )
        if result.errors:
            raise ValidationError(result.errors)

    def transfer(self, n: int, c: int, offset: int) -> None:
        student, day = self.pick(n), _day(offset)
        if student is not None:
            movement.student_transfer(
                student=student, to_class=self.classes[c], effective_date=day, **self.order(day)
            )

    def leave(self, n: int, offset: int) -> None:
        student, day = self.pick(n), _day(offset)
        if student is not None:
            movement.student_leave(
                student=student, effective_date=day, to_place="г. Москва", **self.order(day)
            )

    def reenroll(self, n: int, c: int, offset: int) -> None:
        student, day = self.pick(n), _day(offset)
        if student is not None:
            movement.student_enroll(
                school_class=self.classes[c], student=student, effective_date=day, **self.order(day)
            )


def snapshot() -> tuple:
    return (
        sorted(ClassEnrollment.objects.values_list("student_id", "date_from", "date_to")),
        StudentMovement.objects.count(),
        Student.objects.count(),
    )


@time_machine.travel(NOW, tick=False)
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # The school fills in the autumn, then anything happens at any date of the year.
    first=st.tuples(st.sampled_from(["enroll", "import"]), st.integers(0, 2), st.integers(0, 60)),
    steps=st.lists(step, min_size=1, max_size=12),
)
def test_movement_report_balances_after_any_sequence_of_movements(world, first, steps):
    with transaction.atomic():
        classes = [
            f.ClassFactory(school=world.school, year=world.year, grade=grade, letter=letter)
            for grade, letter in ((7, "А"), (7, "Б"), (8, "А"))
        ]
        sequence = Sequence(world, classes)
        for kind, *args in [first, *steps]:
            before = snapshot()
            try:
                sequence.run("import_" if kind == "import" else kind, *args)
            except ValidationError:
                # A refused step says why and changes nothing.
                assert snapshot() == before
        assert_balanced(
            school=world.school,
            year=world.year,
            user=world.users["deputy"],
            ranges=[*months(world.year), (dt.date(2026, 9, 1), dt.date(2027, 5, 31))],
        )
        assert_one_class_at_a_time()
        transaction.set_rollback(True)
