"""The filter form every report page shows, built from the filters the report declares.

Choices come from the scope, so a homeroom teacher can pick only their own class and an
inspector only the municipality's schools; anything else is refused with a Russian message.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from ejournal.accounts.models import StaffMember
from ejournal.core.formfields import choice_field
from ejournal.core.widgets import DateInput
from ejournal.school import selectors as school_selectors
from ejournal.school.models import AcademicYear, StudyPeriod, Subject

# The filters a report may declare, in the order the form shows them.
FILTERS = (
    "school",
    "period",
    "date_range",
    "date",
    "grade",
    "school_class",
    "subject",
    "teacher",
)
WHOLE_YEAR = "year"
DATE_WIDGET = DateInput()
MAX_RANGE_DAYS = 400


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


class ReportFilterForm(forms.Form):
    year = forms.ChoiceField(label="Учебный год")

    def __init__(self, *args, report, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.report, self.scope = report, scope
        used = set(report.filters)
        self.years = self._years()
        choice_field(self, "year").choices = [(name, name) for name in self.years]
        year_name = self._chosen_year_name()
        self.year_rows = self.years.get(year_name, [])
        # School staff see their own school only; the field is the inspector's.
        if "school" in used and scope.is_inspector:
            self.fields["school"] = forms.ModelChoiceField(
                label="Школа",
                queryset=scope.schools,
                required="school" in report.required,
                empty_label="все школы муниципалитета",
                error_messages={"invalid_choice": "Такой школы нет в вашем муниципалитете."},
            )
        if "period" in used:
            self.fields["period"] = forms.ChoiceField(
                label="Период", choices=self._period_choices()
            )
        if "date_range" in used:
            self.fields["start"] = forms.DateField(label="С", widget=DATE_WIDGET)
            self.fields["end"] = forms.DateField(label="По", widget=DATE_WIDGET)
        if "date" in used:
            self.fields["date"] = forms.DateField(label="На дату", widget=DATE_WIDGET)
        # A homeroom teacher picks among their own classes; grades are the administration's.
        if "grade" in used and (scope.is_school_wide or scope.is_inspector):
            self.fields["grade"] = forms.TypedChoiceField(
                label="Параллель",
                coerce=int,
                required="grade" in report.required,
                empty_value=None,
                choices=[("", "все")] + [(g, f"{g} классы") for g in range(1, 12)],
            )
        if "school_class" in used:
            self.fields["school_class"] = forms.ModelChoiceField(
                label="Класс",
                queryset=scope.classes.filter(year__in=self.year_rows).order_by("grade", "letter"),
                required="school_class" in report.required,
                empty_label="— выберите класс —"
                if "school_class" in report.required
                else "все классы",
                error_messages={"invalid_choice": "Такого класса нет среди доступных вам."},
            )
        if "subject" in used:
            self.fields["subject"] = forms.ModelChoiceField(
                label="Предмет",
                queryset=Subject.objects.filter(school__in=scope.schools).order_by("name"),
                required="subject" in report.required,
                empty_label="все предметы",
                error_messages={"invalid_choice": "Такого предмета нет в школе."},
            )
        if "teacher" in used:
            self.fields["teacher"] = forms.ModelChoiceField(
                label="Учитель",
                queryset=StaffMember.objects.filter(school__in=scope.schools).order_by(
                    "last_name", "first_name"
                ),
                required="teacher" in report.required,
                empty_label="все учителя",
                error_messages={"invalid_choice": "Такого учителя нет в школе."},
            )

    # --- Choices ----------------------------------------------------------------------

    def _years(self) -> dict[str, list[AcademicYear]]:
        """Year names (newest first) and the rows of the scope's schools with that name."""
        years: dict[str, list[AcademicYear]] = {}
        for year in AcademicYear.objects.filter(school__in=self.scope.schools).order_by(
            "-start", "school_id"
        ):
            years.setdefault(year.name, []).append(year)
        return years

    def _chosen_year_name(self) -> str:
        name = (self.data.get("year") if self.is_bound else self.initial.get("year")) or ""
        if name in self.years:
            return name
        return next(iter(self.years), "")

    def _periods(self) -> list[StudyPeriod]:
        if not hasattr(self, "_period_rows"):
            self._period_rows = list(
                StudyPeriod.objects.filter(band__year__in=self.year_rows)
                .select_related("band")
                .order_by("band__grade_from", "start")
            )
        return self._period_rows

    def _period_choices(self) -> list[tuple[str, str]]:
        periods = self._periods()
        if self.scope.is_inspector:
            names = list(dict.fromkeys(p.name for p in periods))
            return [(f"n{name}", name) for name in names] + [(WHOLE_YEAR, "Учебный год")]
        several_bands = len({p.band_id for p in periods}) > 1
        choices = [
            (f"p{p.pk}", f"{p.name} ({p.band})" if several_bands else p.name) for p in periods
        ]
        return choices + [(WHOLE_YEAR, "Учебный год")]

    # --- Cleaning ---------------------------------------------------------------------

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.year_rows:
            raise forms.ValidationError("В школе нет ни одного учебного года.")
        year_rows = self.year_rows
        params: dict = {"year_name": self.year_rows[0].name, "years": year_rows}
        school = data.get("school") if "school" in self.fields else None
        if self.scope.school is not None:
            school = self.scope.school
        params["school"] = school
        params["year"] = next(
            (y for y in year_rows if y.school_id == getattr(school, "pk", 0)), None
        )
        year_start = min(y.start for y in year_rows)
        year_end = max(y.end for y in year_rows)
        params["start"], params["end"] = year_start, year_end
        if "period" in self.fields and data.get("period"):
            params.update(self._clean_period(data["period"], year_start, year_end))
        if "start" in self.fields and data.get("start") and data.get("end"):
            start, end = data["start"], data["end"]
            if end < start:
                self.add_error("end", "Дата окончания раньше даты начала.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("end", f"Выберите период не длиннее {MAX_RANGE_DAYS} дней.")
            params["start"], params["end"] = start, end
            params["period_label"] = f"с {_fmt(start)} по {_fmt(end)}"
        if "date" in self.fields and data.get("date"):
            params["date"] = data["date"]
        for name in ("grade", "school_class", "subject", "teacher"):
            if name in self.report.filters:
                params[name] = data.get(name)  # None when not chosen (or not offered)
        school_class = params.get("school_class")
        period = params.get("period")
        if school_class and period and not period.band.covers(school_class.grade):
            # The picker lists each grade band's periods; the class's own band has the
            # same period under its dates (2 четверть of grades 1–4 → of grades 5–9).
            own = self._period_of_band(period, school_class.grade)
            if own is None:
                self.add_error(
                    "period",
                    f"Период «{period.name}» не относится к {school_class.grade} классам.",
                )
            else:
                params.update(period=own, start=own.start, end=own.end, period_label=own.name)
        self.params = params
        return data

    def _period_of_band(self, period: StudyPeriod, grade: int) -> StudyPeriod | None:
        """The period of ``grade``'s band that answers to ``period``: the same name or the
        same dates (a half-year is not a quarter: None)."""
        own = [
            p
            for p in self._periods()
            if p.band.covers(grade) and p.band.year_id == period.band.year_id
        ]
        return next((p for p in own if p.name == period.name), None) or next(
            (p for p in own if (p.start, p.end) == (period.start, period.end)), None
        )

    def _clean_period(self, value: str, year_start: dt.date, year_end: dt.date) -> dict:
        if value == WHOLE_YEAR:
            return {
                "period": None,
                "start": year_start,
                "end": year_end,
                "period_label": f"{self.year_rows[0].name} учебный год",
            }
        if value.startswith("n"):
            same = [p for p in self._periods() if p.name == value[1:]]
            return {
                "period": None,
                "start": min(p.start for p in same),
                "end": max(p.end for p in same),
                "period_label": value[1:],
            }
        period = next(p for p in self._periods() if f"p{p.pk}" == value)
        return {
            "period": period,
            "start": period.start,
            "end": period.end,
            "period_label": period.name,
        }


def default_data(*, report, scope) -> dict[str, str]:
    """What the form shows before the user picks anything: the current year, the
    current period, today, and the only class a homeroom teacher has."""
    school = scope.school or scope.schools.first()
    if school is None:
        return {}
    today = school_selectors.school_today(school)
    year = school_selectors.year_on(school=school, day=today)
    if year is None:
        return {}
    day = school_selectors.day_in_year(year=year, today=today)
    data: dict[str, str] = {"year": year.name}
    classes = list(scope.classes.filter(year=year)[:2]) if scope.school else []
    if "school_class" in report.filters and len(classes) == 1 and not scope.is_school_wide:
        data["school_class"] = str(classes[0].pk)
    if "period" in report.filters:
        rows = StudyPeriod.objects.filter(band__year=year).select_related("band")
        if len(classes) == 1:
            rows = rows.filter(
                band__grade_from__lte=classes[0].grade, band__grade_to__gte=classes[0].grade
            )
        periods = list(rows.order_by("band__grade_from", "start"))
        current = next((p for p in periods if p.start <= day <= p.end), None)
        if current is None:
            current = next((p for p in reversed(periods) if p.start <= day), None)
        if scope.is_inspector:
            data["period"] = f"n{current.name}" if current else WHOLE_YEAR
        else:
            data["period"] = f"p{current.pk}" if current else WHOLE_YEAR
    if "date_range" in report.filters:
        data["start"] = year.start.isoformat()
        data["end"] = day.isoformat()
    if "date" in report.filters:
        data["date"] = day.isoformat()
    return data
