"""Subjects and the curriculum (учебный план): weekly hours per grade for a five-day week,
after the federal model curricula (ФОП НОО, ООО, СОО, универсальный профиль)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ejournal.demo.builder.context import DemoBuild
from ejournal.school.models import CurriculumEntry, Subject


@dataclass(frozen=True)
class SubjectPlan:
    name: str
    short_name: str
    hours: dict[int, int]  # grade -> hours per week
    # Who teaches it: the primary-class teacher in grades 1–4 when ``primary`` is set,
    # otherwise a subject teacher of ``specialty``.
    specialty: str
    primary: bool = False
    is_no_mark: bool = False
    is_physical_education: bool = False


def _grades(start: int, *hours: int) -> dict[int, int]:
    return {start + i: h for i, h in enumerate(hours) if h}


PLAN: list[SubjectPlan] = [
    SubjectPlan("Русский язык", "Рус. яз.", _grades(1, 5, 5, 5, 5, 5, 6, 4, 3, 3, 2, 2),
                "russian", primary=True),
    SubjectPlan("Литературное чтение", "Лит. чт.", _grades(1, 4, 4, 4, 3), "russian",
                primary=True),
    SubjectPlan("Литература", "Лит.", _grades(5, 3, 3, 2, 2, 3, 3, 3), "russian"),
    SubjectPlan("Иностранный язык (английский)", "Англ. яз.",
                _grades(2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3), "english"),
    SubjectPlan("Математика", "Матем.", {**_grades(1, 4, 4, 4, 4), 5: 5, 6: 5}, "math",
                primary=True),
    SubjectPlan("Алгебра", "Алг.", _grades(7, 3, 3, 3), "math"),
    SubjectPlan("Геометрия", "Геом.", _grades(7, 2, 2, 2, 2, 2), "math"),
    SubjectPlan("Вероятность и статистика", "ВиС", _grades(7, 1, 1, 1, 1, 1), "math"),
    SubjectPlan("Алгебра и начала математического анализа", "Алг. и н. а.",
                _grades(10, 2, 2), "math"),
    SubjectPlan("Информатика", "Инф.", _grades(7, 1, 1, 1, 1, 1), "informatics"),
    SubjectPlan("Окружающий мир", "Окр. мир", _grades(1, 2, 2, 2, 2), "primary", primary=True),
    SubjectPlan("Основы религиозных культур и светской этики", "ОРКСЭ", {4: 1}, "primary",
                primary=True, is_no_mark=True),
    SubjectPlan("История", "Ист.", _grades(5, 2, 2, 2, 2, 2, 2, 2), "history"),
    SubjectPlan("Обществознание", "Общ.", _grades(6, 1, 1, 1, 1, 2, 2), "history"),
    SubjectPlan("Основы духовно-нравственной культуры народов России", "ОДНКНР",
                _grades(5, 1, 1), "history"),
    SubjectPlan("География", "Геогр.", _grades(5, 1, 1, 2, 2, 2, 1, 1), "geography"),
    SubjectPlan("Биология", "Биол.", _grades(5, 1, 1, 1, 2, 2, 1, 1), "biology"),
    SubjectPlan("Физика", "Физ.", _grades(7, 2, 2, 3, 2, 2), "physics"),
    SubjectPlan("Химия", "Хим.", _grades(8, 2, 2, 1, 1), "chemistry"),
    SubjectPlan("Основы безопасности и защиты Родины", "ОБЗР", _grades(8, 1, 1, 1, 1), "obzr"),
    SubjectPlan("Музыка", "Муз.", _grades(1, 1, 1, 1, 1, 1, 1, 1, 1), "music"),
    SubjectPlan("Изобразительное искусство", "ИЗО", _grades(1, 1, 1, 1, 1, 1, 1, 1), "art",
                primary=True),
    SubjectPlan("Труд (технология)", "Труд", _grades(1, 1, 1, 1, 1, 2, 2, 2, 1, 1), "art",
                primary=True),
    SubjectPlan("Физическая культура", "Физ-ра", _grades(1, *[2] * 11), "pe",
                is_physical_education=True),
    SubjectPlan("Индивидуальный проект", "Инд. пр.", {10: 1}, "history"),
]  # fmt: skip

PLAN_BY_NAME = {p.name: p for p in PLAN}


def teacher_specialty(plan: SubjectPlan, grade: int) -> str:
    return "primary" if plan.primary and grade <= 4 else plan.specialty


def create_subjects_and_curriculum(build: DemoBuild) -> None:
    assert build.school is not None and build.year is not None
    subjects = Subject.objects.bulk_create(
        Subject(
            school=build.school,
            name=p.name,
            short_name=p.short_name,
            is_no_mark=p.is_no_mark,
            is_physical_education=p.is_physical_education,
        )
        for p in PLAN
    )
    build.subjects = {s.name: s for s in subjects}
    entries = []
    for plan in PLAN:
        for grade, hours in sorted(plan.hours.items()):
            build.curriculum.setdefault(grade, {})[plan.name] = Decimal(hours)
            entries.append(
                CurriculumEntry(
                    year=build.year,
                    subject=build.subjects[plan.name],
                    grade=grade,
                    hours_per_week=Decimal(hours),
                )
            )
    CurriculumEntry.objects.bulk_create(entries)
