"""Forms parse input for the structure pages. Every choice of an object is limited to the
current school, so an id of another school's object is simply an invalid choice."""

from __future__ import annotations

from typing import cast

from django import forms

from ejournal.accounts.models import StaffMember, Student, shown_name_ordering
from ejournal.core.widgets import DateInput
from ejournal.school.models import (
    AcademicYear,
    DayOffKind,
    GroupKind,
    PeriodKind,
    School,
    SchoolClass,
    StudyGroup,
    Subject,
)

DATE_WIDGET = DateInput()
GRADE_CHOICES = [(g, f"{g} класс") for g in range(1, 12)]


class DateField(forms.DateField):
    widget = DATE_WIDGET


class HoursField(forms.DecimalField):
    """Hours a week; accepts a decimal comma as well as a point."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Часов в неделю")
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.5"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class GradeField(forms.IntegerField):
    """A plain number so that «12» reaches the service and gets its Russian message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Параллель")
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1, "max": 11}))
        super().__init__(**kwargs)


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def staff_choices(school: School):
    return StaffMember.objects.filter(school=school, is_active=True).order_by(
        "last_name", "first_name", "patronymic"
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name + (f" ({obj.position})" if obj.position else "")


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # A pupil known by a code is known by nothing else: no birth date (001 §6.3).
        if obj.pseudonym:
            return obj.full_name
        return f"{obj.full_name}, {obj.birth_date:%d.%m.%Y}"


class AcademicYearForm(forms.Form):
    name = forms.CharField(label="Название", max_length=20, help_text="например, 2026/2027")
    start = DateField(label="Начало")
    end = DateField(label="Окончание")


class GradeBandForm(forms.Form):
    name = forms.CharField(label="Название", max_length=50, help_text="например, 1–9 классы")
    grade_from = GradeField(label="С класса")
    grade_to = GradeField(label="По класс")
    period_kind = forms.ChoiceField(label="Учебные периоды", choices=PeriodKind.choices)
    days_per_week = forms.TypedChoiceField(
        label="Учебная неделя",
        coerce=int,
        choices=[(5, "пятидневная"), (6, "шестидневная")],
    )


class StudyPeriodForm(forms.Form):
    number = forms.IntegerField(label="Номер", min_value=1, max_value=12)
    name = forms.CharField(label="Название", max_length=50, help_text="например, 1 четверть")
    start = DateField(label="Начало")
    end = DateField(label="Окончание")


class DayOffForm(forms.Form):
    kind = forms.ChoiceField(label="Вид", choices=DayOffKind.choices)
    name = forms.CharField(label="Название", max_length=100)
    start = DateField(label="С")
    end = DateField(label="По")
    grade_from = GradeField(label="Для классов с", initial=1)
    grade_to = GradeField(label="по", initial=11)


class SchoolClassForm(forms.Form):
    grade = GradeField()
    letter = forms.CharField(label="Литера", max_length=5)
    homeroom_teacher = StaffChoiceField(
        label="Классный руководитель",
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label="— не назначен —",
    )
    room = forms.CharField(label="Кабинет", max_length=20, required=False)
    shift = forms.TypedChoiceField(
        label="Смена", coerce=int, choices=[(1, "первая"), (2, "вторая")], initial=1
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "homeroom_teacher").queryset = staff_choices(school)


class SubjectForm(forms.Form):
    name = forms.CharField(label="Название", max_length=150)
    short_name = forms.CharField(label="Сокращение", max_length=30, required=False)
    is_no_mark = forms.BooleanField(
        label="Безотметочный", required=False, help_text="по предмету отметки не ставятся"
    )
    is_physical_education = forms.BooleanField(label="Физическая культура", required=False)


class CurriculumEntryForm(forms.Form):
    """A grade line, or an override for one class or one student."""

    TARGET_GRADE, TARGET_CLASS, TARGET_STUDENT = "grade", "class", "student"

    subject = forms.ModelChoiceField(label="Предмет", queryset=Subject.objects.none())
    target = forms.ChoiceField(
        label="Для кого",
        choices=[
            (TARGET_GRADE, "вся параллель"),
            (TARGET_CLASS, "один класс (изменение плана параллели)"),
            (TARGET_STUDENT, "один ученик (индивидуальный учебный план)"),
        ],
        initial=TARGET_GRADE,
    )
    grade = GradeField(required=False, help_text="для строки всей параллели")
    school_class = forms.ModelChoiceField(
        label="Класс", queryset=SchoolClass.objects.none(), required=False
    )
    student = StudentChoiceField(label="Ученик", queryset=Student.objects.none(), required=False)
    hours_per_week = HoursField()

    def __init__(self, *args, year: AcademicYear, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "subject").queryset = Subject.objects.filter(school_id=year.school_id)
        _choices(self, "school_class").queryset = SchoolClass.objects.filter(year=year)
        _choices(self, "student").queryset = Student.objects.filter(
            school_id=year.school_id, enrollments__school_class__year=year
        ).distinct()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        target = data.get("target") or ""
        required = {
            self.TARGET_GRADE: ("grade", "Укажите параллель."),
            self.TARGET_CLASS: ("school_class", "Выберите класс."),
            self.TARGET_STUDENT: ("student", "Выберите ученика."),
        }.get(target)
        if required and data.get(required[0]) in (None, ""):
            self.add_error(required[0], required[1])
        # Only the chosen target reaches the service.
        for name in ("grade", "school_class", "student"):
            if required and name != required[0]:
                data[name] = None
        return data


class CurriculumHoursForm(forms.Form):
    hours_per_week = HoursField()


class StudyGroupForm(forms.Form):
    name = forms.CharField(label="Название", max_length=150)
    kind = forms.ChoiceField(label="Вид", choices=GroupKind.choices)
    school_class = forms.ModelChoiceField(
        label="Класс",
        queryset=SchoolClass.objects.none(),
        required=False,
        help_text="обязателен для группы «весь класс» и подгруппы",
    )

    def __init__(self, *args, year: AcademicYear, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "school_class").queryset = SchoolClass.objects.filter(year=year)


class MembershipAddForm(forms.Form):
    student = StudentChoiceField(label="Ученик", queryset=Student.objects.none())
    date_from = DateField(label="С")
    date_to = DateField(label="По", required=False, help_text="пусто — без даты окончания")

    def __init__(self, *args, group: StudyGroup, **kwargs):
        super().__init__(*args, **kwargs)
        # Any student of the year: whether a subgroup may take them on those dates is
        # the service's question, answered with a message that names the class.
        _choices(self, "student").queryset = (
            Student.objects.filter(
                school_id=group.school_id, enrollments__school_class__year_id=group.year_id
            )
            .distinct()
            .order_by(*shown_name_ordering())
        )


class MembershipDatesForm(forms.Form):
    date_from = DateField(label="С")
    date_to = DateField(label="По", required=False, help_text="дата выхода из группы")


class TeachingLoadForm(forms.Form):
    teacher = StaffChoiceField(label="Учитель", queryset=StaffMember.objects.none())
    group = forms.ModelChoiceField(label="Группа", queryset=StudyGroup.objects.none())
    subject = forms.ModelChoiceField(label="Предмет", queryset=Subject.objects.none())
    hours_per_week = HoursField()

    def __init__(self, *args, year: AcademicYear, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "teacher").queryset = staff_choices(year.school)
        _choices(self, "group").queryset = StudyGroup.objects.filter(year=year).order_by("name")
        _choices(self, "subject").queryset = Subject.objects.filter(school_id=year.school_id)
