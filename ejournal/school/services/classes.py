"""Classes, subjects and the curriculum."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import StaffMember, Student
from ejournal.audit import services as audit
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    CurriculumEntry,
    School,
    SchoolClass,
    Subject,
)
from ejournal.school.services._common import (
    check_grade,
    check_hours,
    check_same_school,
    delete,
    save_update,
    snapshot,
)

# --- classes --------------------------------------------------------------------

CLASS_FIELDS = ["grade", "letter", "homeroom_teacher", "room", "shift"]


def _validate_class(
    *, year: AcademicYear, grade, letter, homeroom_teacher, shift, exclude_pk=None
) -> str:
    check_grade(grade)
    letter = (letter or "").strip().upper()
    if not letter:
        raise ValidationError("Укажите литеру класса, например «А».")
    if homeroom_teacher is not None:
        check_same_school(
            homeroom_teacher,
            year.school,
            "Классным руководителем может быть только сотрудник этой школы.",
        )
        if not homeroom_teacher.is_active:
            raise ValidationError("Классный руководитель должен работать в школе.")
    if shift not in (1, 2):
        raise ValidationError("Смена — первая или вторая.")
    duplicate = (
        SchoolClass.objects.filter(year=year, grade=grade, letter=letter)
        .exclude(pk=exclude_pk)
        .exists()
    )
    if duplicate:
        raise ValidationError(f"Класс {grade}{letter} в учебном году {year} уже есть.")
    return letter


@transaction.atomic
def school_class_create(
    *,
    year: AcademicYear,
    grade: int,
    letter: str,
    homeroom_teacher: StaffMember | None = None,
    room: str = "",
    shift: int = 1,
    actor,
) -> SchoolClass:
    letter = _validate_class(
        year=year, grade=grade, letter=letter, homeroom_teacher=homeroom_teacher, shift=shift
    )
    school_class = SchoolClass.objects.create(
        school=year.school,
        year=year,
        grade=grade,
        letter=letter,
        homeroom_teacher=homeroom_teacher,
        room=(room or "").strip(),
        shift=shift,
    )
    audit.record(
        action="school_class.created",
        actor=actor,
        school=year.school_id,
        obj=school_class,
        after={"year": year.pk, **snapshot(school_class, CLASS_FIELDS)},
    )
    return school_class


@transaction.atomic
def school_class_update(
    *,
    school_class: SchoolClass,
    grade: int,
    letter: str,
    homeroom_teacher: StaffMember | None,
    room: str,
    shift: int,
    actor,
) -> SchoolClass:
    letter = _validate_class(
        year=school_class.year,
        grade=grade,
        letter=letter,
        homeroom_teacher=homeroom_teacher,
        shift=shift,
        exclude_pk=school_class.pk,
    )
    save_update(
        obj=school_class,
        fields=CLASS_FIELDS,
        values={
            "grade": grade,
            "letter": letter,
            "homeroom_teacher": homeroom_teacher,
            "room": (room or "").strip(),
            "shift": shift,
        },
        action="school_class.updated",
        actor=actor,
        school=school_class.school_id,
    )
    return school_class


# --- subjects -------------------------------------------------------------------

SUBJECT_FIELDS = ["name", "short_name", "is_no_mark", "is_physical_education"]


def _validate_subject(*, school: School, name: str, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название предмета.")
    # Compared in Python: SQLite folds the case of Latin letters only.
    names = (
        Subject.objects.filter(school=school).exclude(pk=exclude_pk).values_list("name", flat=True)
    )
    existing = next((n for n in names if n.casefold() == name.casefold()), None)
    if existing:
        raise ValidationError(f"Предмет «{existing}» уже есть.")
    return name


@transaction.atomic
def subject_create(
    *,
    school: School,
    name: str,
    short_name: str = "",
    is_no_mark: bool = False,
    is_physical_education: bool = False,
    actor,
) -> Subject:
    name = _validate_subject(school=school, name=name)
    subject = Subject.objects.create(
        school=school,
        name=name,
        short_name=(short_name or "").strip(),
        is_no_mark=is_no_mark,
        is_physical_education=is_physical_education,
    )
    audit.record(
        action="subject.created",
        actor=actor,
        school=school,
        obj=subject,
        after=snapshot(subject, SUBJECT_FIELDS),
    )
    return subject


@transaction.atomic
def subject_update(
    *,
    subject: Subject,
    name: str,
    short_name: str,
    is_no_mark: bool,
    is_physical_education: bool,
    actor,
) -> Subject:
    name = _validate_subject(school=subject.school, name=name, exclude_pk=subject.pk)
    save_update(
        obj=subject,
        fields=SUBJECT_FIELDS,
        values={
            "name": name,
            "short_name": (short_name or "").strip(),
            "is_no_mark": is_no_mark,
            "is_physical_education": is_physical_education,
        },
        action="subject.updated",
        actor=actor,
        school=subject.school_id,
    )
    return subject


# --- curriculum -------------------------------------------------------------------

CURRICULUM_FIELDS = ["subject", "grade", "school_class", "student", "hours_per_week"]


def _student_class_in_year(student: Student, year: AcademicYear) -> SchoolClass | None:
    enrollment = (
        ClassEnrollment.objects.filter(student=student, school_class__year=year)
        .select_related("school_class")
        .order_by("-date_from")
        .first()
    )
    return enrollment.school_class if enrollment else None


def _resolve_curriculum_target(
    *, year: AcademicYear, subject: Subject, grade, school_class, student, hours
) -> int:
    """Validate a curriculum line and return the grade it belongs to."""
    school = year.school
    check_same_school(subject, school, "Предмет не найден в этой школе.")
    if school_class is not None and student is not None:
        raise ValidationError("Строка плана относится либо к классу, либо к ученику, не к обоим.")
    if school_class is not None:
        if school_class.year_id != year.pk:
            raise ValidationError("Класс не относится к этому учебному году.")
        grade = school_class.grade
    elif student is not None:
        check_same_school(student, school, "Ученик не найден в этой школе.")
        own_class = _student_class_in_year(student, year)
        if own_class is None:
            raise ValidationError(
                f"Ученик {student.short_name} не зачислен ни в один класс учебного года {year}."
            )
        grade = own_class.grade
    else:
        check_grade(grade)
    # A zero override is meaningful (the class or student does not take the subject);
    # a zero line for a whole grade is not.
    check_hours(hours, allow_zero=school_class is not None or student is not None)
    return grade


@transaction.atomic
def curriculum_entry_create(
    *,
    year: AcademicYear,
    subject: Subject,
    hours_per_week: Decimal,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
    student: Student | None = None,
    actor,
) -> CurriculumEntry:
    grade = _resolve_curriculum_target(
        year=year,
        subject=subject,
        grade=grade,
        school_class=school_class,
        student=student,
        hours=hours_per_week,
    )
    exists = CurriculumEntry.objects.filter(
        year=year, subject=subject, grade=grade, school_class=school_class, student=student
    ).exists()
    if exists:
        target = (
            f"класса {school_class}"
            if school_class
            else f"ученика {student.short_name}"
            if student
            else f"{grade} классов"
        )
        raise ValidationError(
            f"Для {target} часы по предмету «{subject}» уже заданы — измените существующую строку."
        )
    entry = CurriculumEntry.objects.create(
        year=year,
        subject=subject,
        grade=grade,
        school_class=school_class,
        student=student,
        hours_per_week=hours_per_week,
    )
    audit.record(
        action="curriculum_entry.created",
        actor=actor,
        school=year.school_id,
        obj=entry,
        after={"year": year.pk, **snapshot(entry, CURRICULUM_FIELDS)},
    )
    return entry


@transaction.atomic
def curriculum_entry_update(
    *, entry: CurriculumEntry, hours_per_week: Decimal, actor
) -> CurriculumEntry:
    check_hours(
        hours_per_week,
        allow_zero=entry.school_class_id is not None or entry.student_id is not None,
    )
    save_update(
        obj=entry,
        fields=["hours_per_week"],
        values={"hours_per_week": hours_per_week},
        action="curriculum_entry.updated",
        actor=actor,
        school=entry.year.school_id,
    )
    return entry


@transaction.atomic
def curriculum_entry_delete(*, entry: CurriculumEntry, actor) -> None:
    delete(
        obj=entry,
        fields=["year", *CURRICULUM_FIELDS],
        action="curriculum_entry.deleted",
        actor=actor,
        school=entry.year.school_id,
        what="строку учебного плана",
    )
