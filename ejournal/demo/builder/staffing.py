"""Teachers and the teaching load (тарификация) that covers the whole curriculum, and the
homeroom teacher of every class."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ejournal.accounts.models import Role, StaffMember
from ejournal.demo.builder.accounts import create_users_with_roles
from ejournal.demo.builder.context import DemoBuild
from ejournal.demo.builder.curriculum import PLAN, teacher_specialty
from ejournal.demo.builder.people import new_staff_member
from ejournal.school.models import SchoolClass, StudyGroup, Subject, TeachingLoad

# specialty -> (position, share of women among such teachers)
SPECIALTIES: dict[str, tuple[str, float]] = {
    "primary": ("Учитель начальных классов", 0.97),
    "russian": ("Учитель русского языка и литературы", 0.95),
    "english": ("Учитель английского языка", 0.9),
    "math": ("Учитель математики", 0.8),
    "informatics": ("Учитель информатики", 0.4),
    "history": ("Учитель истории и обществознания", 0.7),
    "geography": ("Учитель географии", 0.8),
    "biology": ("Учитель биологии", 0.9),
    "chemistry": ("Учитель химии", 0.9),
    "physics": ("Учитель физики", 0.6),
    "obzr": ("Преподаватель-организатор ОБЗР", 0.1),
    "music": ("Учитель музыки", 0.8),
    "art": ("Учитель изобразительного искусства и труда (технологии)", 0.7),
    "pe": ("Учитель физической культуры", 0.4),
}
FULL_RATE_HOURS = 16  # average weekly hours of a subject teacher (a full rate is 18)
DEMO_CLASS = (5, "А")

Block = list[tuple[StudyGroup, Subject, Decimal]]


def _blocks(build: DemoBuild) -> dict[str, dict[tuple[int, int], Block]]:
    """What each specialty must teach, cut into blocks that one teacher takes whole:
    all of a specialty's subjects in one class (or one subgroup of it)."""
    blocks: dict[str, dict[tuple[int, int], Block]] = defaultdict(dict)
    for school_class in build.classes:
        for plan in PLAN:
            hours = build.curriculum.get(school_class.grade, {}).get(plan.name)
            if not hours:
                continue
            specialty = teacher_specialty(plan, school_class.grade)
            groups = build.subgroups.get(
                (school_class.pk, plan.name), [build.whole_groups[school_class.pk]]
            )
            for n, group in enumerate(groups):
                block = blocks[specialty].setdefault((school_class.pk, n), [])
                block.append((group, build.subjects[plan.name], hours))
    return blocks


def create_teachers_and_load(build: DemoBuild) -> None:
    assert build.school is not None
    blocks = _blocks(build)
    teachers_of: dict[str, list[StaffMember]] = {}
    taken: dict[int, list[tuple[int, Block]]] = defaultdict(list)  # id(teacher) -> blocks
    for specialty, spec_blocks in blocks.items():
        position, women = SPECIALTIES[specialty]
        total = sum(h for block in spec_blocks.values() for _, _, h in block)
        if specialty == "primary":
            count = len(spec_blocks)  # one teacher per primary class
        else:
            count = max(1, round(total / FULL_RATE_HOURS))
        teachers = [new_staff_member(build, position, women) for _ in range(count)]
        teachers_of[specialty] = teachers
        load = [Decimal(0)] * count
        # Blocks in class order, each to the least-loaded teacher: balanced, and the
        # first mathematics teacher gets 5А (the demo teacher's class).
        for (class_id, _), block in spec_blocks.items():
            i = min(range(count), key=lambda k: (load[k], k))
            load[i] += sum(h for _, _, h in block)
            taken[id(teachers[i])].append((class_id, block))

    demo_teacher = teachers_of["math"][0]
    build.demo_profiles["teacher"] = demo_teacher
    teachers = [t for specialty in SPECIALTIES for t in teachers_of.get(specialty, [])]
    create_users_with_roles(
        [(t, Role.TEACHER) for t in teachers if t is not demo_teacher],
        school=build.school,
        prefix=build.options.login_prefix,
    )
    build.teachers = StaffMember.objects.bulk_create(teachers)
    build.staff += build.teachers

    TeachingLoad.objects.bulk_create(
        TeachingLoad(group=group, subject=subject, teacher=teacher, hours_per_week=hours)
        for teacher in build.teachers
        for _, block in taken[id(teacher)]
        for group, subject, hours in block
    )
    _assign_homerooms(build, teachers_of, taken, demo_teacher)


def _assign_homerooms(build, teachers_of, taken, demo_teacher) -> None:
    """Primary classes: their class teacher. 5А: the demo mathematics teacher. Other
    classes: the teacher with most hours in the class who has no class yet."""
    hours_in: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for teacher in build.teachers:
        for class_id, block in taken[id(teacher)]:
            hours_in[class_id][id(teacher)] += sum(h for _, _, h in block)
    by_id = {id(t): t for t in build.teachers}
    count: dict[int, int] = defaultdict(int)
    primary = {
        class_id: teacher
        for teacher in teachers_of.get("primary", [])
        for class_id, _ in taken[id(teacher)]
    }
    ordered = sorted(build.classes, key=lambda c: ((c.grade, c.letter) != DEMO_CLASS, c.grade))
    senior = [t for t in build.teachers if t not in teachers_of.get("primary", [])]
    for school_class in ordered:
        if school_class.pk in primary:
            chosen = primary[school_class.pk]
        elif (school_class.grade, school_class.letter) == DEMO_CLASS:
            chosen = demo_teacher
            build.facts["demo_class"] = school_class
        else:
            candidates = sorted(
                (
                    (-hours, build.teachers.index(by_id[key]))
                    for key, hours in hours_in[school_class.pk].items()
                    if not count[key] and by_id[key] in senior
                ),
            )
            if candidates:
                chosen = build.teachers[candidates[0][1]]
            else:
                chosen = min(senior, key=lambda t: (count[id(t)], build.teachers.index(t)))
        count[id(chosen)] += 1
        school_class.homeroom_teacher = chosen
    SchoolClass.objects.bulk_update(build.classes, ["homeroom_teacher"])
