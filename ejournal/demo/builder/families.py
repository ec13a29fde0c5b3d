"""Students, their families (guardians, siblings in other classes), dated class enrollment
with a few mid-year movements, and subgroup membership."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ejournal.accounts.models import (
    Guardian,
    MovementKind,
    Order,
    Relation,
    Sex,
    Student,
    StudentGuardian,
    StudentMovement,
)
from ejournal.demo.builder.accounts import FAMILY_MAIL_DOMAINS, phone
from ejournal.demo.builder.context import DemoBuild
from ejournal.demo.builder.names import (
    MEN_NAMES,
    SURNAMES,
    FullName,
    adult_name,
    child_name,
    surname_for,
    transliterate,
)
from ejournal.school.models import ClassEnrollment, GroupMembership, SchoolClass

STREETS = [
    "ул. Свободы", "пр-т Ленина", "ул. Чкалова", "Ленинградский пр-т", "ул. Угличская",
    "ул. Кирова", "ул. Советская", "ул. Некрасова", "Московский пр-т", "ул. Победы",
    "ул. Урицкого", "ул. Юности", "ул. Строителей", "ул. Садовая", "ул. Пионерская",
    "Тутаевское ш.", "ул. Гагарина", "ул. Комсомольская", "ул. Салтыкова-Щедрина",
]  # fmt: skip

# (workplace, who: "m", "f" or "" for anyone)
WORKPLACES = [
    ("ГБУЗ ЯО «Городская поликлиника №3», медицинская сестра", "f"),
    ("ГБУЗ ЯО «Городская больница №2», врач-терапевт", ""),
    ("МДОУ «Детский сад №112», воспитатель", "f"),
    ("ООО «Волжская логистика», водитель", "m"),
    ("ООО «Северный дом», менеджер по продажам", ""),
    ("АО «Моторостроитель», инженер-технолог", ""),
    ("ООО «ТехноСервис», программист", ""),
    ("Индивидуальный предприниматель", ""),
    ("Отделение банка, специалист", ""),
    ("МУП «Горэлектросеть», электромонтёр", "m"),
    ("ООО «Стройинвест», прораб", "m"),
    ("Сеть магазинов «Продукты у дома», администратор", ""),
    ("Управление социальной защиты населения, специалист", ""),
    ("ООО «Аптека плюс», фармацевт", "f"),
    ("ФГБОУ ВО, доцент кафедры", ""),
    ("ОМВД, участковый уполномоченный полиции", "m"),
    ("ООО «Автоцентр», автомеханик", "m"),
    ("Салон красоты, парикмахер", "f"),
    ("ООО «Учёт и право», бухгалтер", "f"),
    ("Не работает", ""),
    ("Отпуск по уходу за ребёнком", "f"),
]

SIBLING_SHARE = 0.12  # of students who share a family with a student of another class


@dataclass
class Kid:
    school_class: SchoolClass
    sex: str
    birth_date: dt.date
    family: Family | None = None
    joined: dt.date | None = None
    left: dt.date | None = None
    moved_to: tuple[SchoolClass, dt.date] | None = None
    student: Student | None = None


@dataclass
class Family:
    kids: list[Kid] = field(default_factory=list)
    is_demo: bool = False


def birth_date_for(build: DemoBuild, grade: int) -> dt.date:
    """Children start grade 1 aged 6½–7½ on 1 September."""
    y = build.year.start.year  # type: ignore[union-attr]
    earliest = dt.date(y - 6 - grade, 3, 1)
    latest = dt.date(y - 5 - grade, 2, 28)
    return earliest + dt.timedelta(days=build.rng.randint(0, (latest - earliest).days))


def _class_sizes(build: DemoBuild) -> list[int]:
    n = build.options.students_per_class
    spread = [-2, -1, 0, 0, 1, 2] if n >= 10 else [0]
    return [max(1, n + build.rng.choice(spread)) for _ in build.classes]


def create_students_and_families(build: DemoBuild) -> None:
    rng = build.rng
    kids_by_class: dict[int, list[Kid]] = {}
    for school_class, size in zip(build.classes, _class_sizes(build), strict=True):
        kids_by_class[school_class.pk] = [
            Kid(
                school_class,
                rng.choice([Sex.MALE, Sex.FEMALE]),
                birth_date_for(build, school_class.grade),
            )
            for _ in range(size)
        ]
    families = _families(build, kids_by_class)
    _movements(build, kids_by_class)
    guardians, links = _people(build, families)

    all_kids = [k for kids in kids_by_class.values() for k in kids]
    Student.objects.bulk_create([k.student for k in all_kids])  # type: ignore[misc]
    build.guardians = Guardian.objects.bulk_create(guardians)
    StudentGuardian.objects.bulk_create(
        StudentGuardian(student=kid.student, guardian=guardian, relation=relation)
        for kid, guardian, relation in links
    )
    _enroll(build, kids_by_class)


def _families(build: DemoBuild, kids_by_class: dict[int, list[Kid]]) -> list[Family]:
    """Mostly one child per family; some brothers and sisters two or more grades apart.
    The demo parent's family has a child in 5А (the demo student) and one in grade 8."""
    rng = build.rng
    families: list[Family] = []
    demo_class = build.facts["demo_class"]
    older = [c for c in build.classes if c.grade == 8][-1]
    demo = Family(kids=[kids_by_class[demo_class.pk][0], kids_by_class[older.pk][0]], is_demo=True)
    families.append(demo)
    for kid in demo.kids:
        kid.family = demo

    free = [k for kids in kids_by_class.values() for k in kids if k.family is None]
    rng.shuffle(free)
    for kid in free:
        if kid.family is not None or rng.random() > SIBLING_SHARE / 2:
            continue
        partner = next(
            (
                other
                for other in free
                if other.family is None
                and abs(other.school_class.grade - kid.school_class.grade) >= 2
            ),
            None,
        )
        if partner is None:
            continue
        family = Family(kids=[kid, partner])
        kid.family = partner.family = family
        families.append(family)
    for kid in free:
        if kid.family is None:
            kid.family = Family(kids=[kid])
            families.append(kid.family)
    return families


def _movements(build: DemoBuild, kids_by_class: dict[int, list[Kid]]) -> None:
    """A transfer 7А → 7Б, a newcomer to 3Б and a leaver from 9Б, all at the start of
    the second quarter (only when there are parallel classes)."""
    if build.options.classes_per_grade < 2:
        return
    day = build.dates["q2_start"]
    by_name = {str(c): c for c in build.classes}

    def pick(name: str) -> Kid:
        return next(k for k in kids_by_class[by_name[name].pk] if not k.family.is_demo)  # type: ignore[union-attr]

    pick("7А").moved_to = (by_name["7Б"], day)
    pick("3Б").joined = day
    pick("9Б").left = day - dt.timedelta(days=1)


def _people(build: DemoBuild, families: list[Family]):
    """Names for every family member; guardians with contacts; who is whose."""
    assert build.school is not None
    rng = build.rng
    guardians: list[Guardian] = []
    links: list[tuple[Kid, Guardian, str]] = []
    for family in families:
        surname = rng.choice(SURNAMES)
        father_first = rng.choice(sorted(MEN_NAMES))
        used_names: set[str] = set()
        for kid in family.kids:
            name = child_name(rng, kid.sex, surname, father_first)
            while name.first_name in used_names:
                name = child_name(rng, kid.sex, surname, father_first)
            used_names.add(name.first_name)
            kid.student = Student(
                school=build.school,
                last_name=name.last_name,
                first_name=name.first_name,
                patronymic=name.patronymic,
                birth_date=kid.birth_date,
                sex=kid.sex,
            )
        mother = adult_name(rng, Sex.FEMALE, surname)
        father_patronymic = adult_name(rng, Sex.MALE).patronymic
        father = FullName(surname_for(surname, Sex.MALE), father_first, father_patronymic, "m")
        roll = 0.0 if family.is_demo else rng.random()
        if roll < 0.62:
            adults = [(mother, Relation.MOTHER), (father, Relation.FATHER)]
        elif roll < 0.9:
            adults = [(mother, Relation.MOTHER)]
        elif roll < 0.97:
            adults = [(father, Relation.FATHER)]
        else:
            grandmother = adult_name(rng, Sex.FEMALE, surname)
            adults = [(grandmother, Relation.GUARDIAN)]
        address = (
            f"г. Ярославль, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}, "
            f"кв. {rng.randint(1, 180)}"
        )
        for person, relation in adults:
            guardian = Guardian(
                school=build.school,
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                phone=phone(rng),
                email=_family_email(build, person),
                address=address,
                workplace=rng.choice([w for w, who in WORKPLACES if who in ("", person.sex)]),
            )
            guardians.append(guardian)
            links += [(kid, guardian, relation) for kid in family.kids]
            if family.is_demo and relation == Relation.MOTHER:
                build.demo_profiles["parent"] = guardian
        if family.is_demo:
            build.demo_profiles["student"] = family.kids[0].student
    return guardians, links


def _family_email(build: DemoBuild, person: FullName) -> str:
    if build.rng.random() < 0.15:
        return ""  # not everyone gives an e-mail address
    local = f"{transliterate(person.last_name)}.{transliterate(person.first_name)}"
    return f"{local}{build.rng.randint(70, 99)}@{build.rng.choice(FAMILY_MAIL_DOMAINS)}"


def _enroll(build: DemoBuild, kids_by_class: dict[int, list[Kid]]) -> None:
    """Enrollment from the first day (or the arrival date) and, for split subjects,
    membership of subgroup 1 or 2 by the alphabetical class list, on the same dates."""
    year_start = build.year.start  # type: ignore[union-attr]
    enrollments: list[ClassEnrollment] = []
    memberships: list[GroupMembership] = []
    members_by_class: dict[int, list[tuple[Student, dt.date, dt.date | None]]] = {
        c.pk: [] for c in build.classes
    }
    for class_id, kids in kids_by_class.items():
        for kid in kids:
            student = kid.student
            assert student is not None
            start = kid.joined or year_start
            end = kid.left
            if kid.moved_to:
                new_class, day = kid.moved_to
                end = day - dt.timedelta(days=1)
                enrollments.append(
                    ClassEnrollment(student=student, school_class=new_class, date_from=day)
                )
                members_by_class[new_class.pk].append((student, day, None))
            enrollments.append(
                ClassEnrollment(
                    student=student, school_class=kid.school_class, date_from=start, date_to=end
                )
            )
            members_by_class[class_id].append((student, start, end))
    ClassEnrollment.objects.bulk_create(enrollments)
    _record_movements(build, [kid for kids in kids_by_class.values() for kid in kids])

    for school_class in build.classes:
        members = members_by_class[school_class.pk]
        # Newcomers join the smaller subgroup; everyone else by the class list.
        first_day = sorted(
            (m for m in members if m[1] == year_start), key=lambda m: _sort_key(m[0])
        )
        later = sorted((m for m in members if m[1] != year_start), key=lambda m: m[1])
        # Everyone who is in the class at some time this year.
        build.students_by_class[school_class.pk] = sorted((m[0] for m in members), key=_sort_key)
        for (class_id, _subject), groups in build.subgroups.items():
            if class_id != school_class.pk:
                continue
            half = (len(first_day) + 1) // 2
            for i, (student, start, end) in enumerate(first_day + later):
                n = (0 if i < half else 1) if i < len(first_day) else (i % 2)
                memberships.append(
                    GroupMembership(group=groups[n], student=student, date_from=start, date_to=end)
                )
    GroupMembership.objects.bulk_create(memberships)


def _record_movements(build: DemoBuild, kids: list[Kid]) -> None:
    """Every class list change rests on an order, as the operator enters them: the
    classes of the year were formed by one order before 1 September, the mid-year
    arrival, transfer and leaving have one each. The movement report adds up."""
    assert build.school is not None and build.year is not None
    school, year_start = build.school, build.year.start
    formed = Order(
        school=school, number="74-у", date=year_start - dt.timedelta(days=4), kind="enrollment"
    )
    orders = [formed]
    movements: list[tuple[Order, StudentMovement]] = []

    def move(kid: Kid, kind: str, day: dt.date, order: tuple[str, dt.date] | None, **fields):
        own = formed
        if order is not None:
            own = Order(school=school, number=order[0], date=order[1], kind=kind)
            orders.append(own)
        movement = StudentMovement(student=kid.student, kind=kind, effective_date=day, **fields)
        movements.append((own, movement))

    for kid in kids:
        start = kid.joined or year_start
        arrival = ("128-у", start) if kid.joined else None
        place = "МОУ «Средняя школа №44», г. Рыбинск" if kid.joined else ""
        move(
            kid,
            MovementKind.ENROLLMENT,
            start,
            arrival,
            to_class=kid.school_class,
            from_place=place,
        )
        if kid.moved_to:
            new_class, day = kid.moved_to
            transfer_order = ("127-у", day - dt.timedelta(days=3))
            move(
                kid,
                MovementKind.TRANSFER,
                day,
                transfer_order,
                from_class=kid.school_class,
                to_class=new_class,
            )
        if kid.left:
            day = kid.left + dt.timedelta(days=1)
            place = "МОУ «Средняя школа №2», г. Тутаев"
            move(
                kid,
                MovementKind.LEAVING,
                day,
                ("126-у", kid.left),
                from_class=kid.school_class,
                to_place=place,
            )
    # The orders get their ids in bulk first; each movement takes its order then.
    Order.objects.bulk_create(orders)
    for order, movement in movements:
        movement.order = order
    StudentMovement.objects.bulk_create(movement for _, movement in movements)


def _sort_key(student: Student) -> tuple[str, str, str]:
    return (student.last_name, student.first_name, student.patronymic)
