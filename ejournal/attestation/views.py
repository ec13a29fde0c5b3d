"""Attestation pages. Views parse input, call one service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.models import Student
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.attestation import forms, selectors, services
from ejournal.attestation.models import PeriodMarkCorrection
from ejournal.attestation.permissions import (
    ATTESTATION_USERS,
    DEPUTY,
    OVERSEERS,
    SETTINGS_EDITORS,
    SHEET_READERS,
    TEACHERS,
    class_for_sheet,
    classes_with_sheet,
    is_deputy,
    is_overseer,
    load_for_entry,
    loads_of_teacher,
)
from ejournal.journal import corrections as correction_lifecycle
from ejournal.journal.models import CorrectionStatus
from ejournal.journal.permissions import CORRECTION_DECIDERS
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import AcademicYear, ClassEnrollment, StudyPeriod


def _year(request: AuthedRequest) -> AcademicYear | None:
    school = request.ctx.school_or_404()
    if request.GET.get("year", "").isdigit():
        return get_in_school_or_404(
            AcademicYear.objects.all(), request, id=int(request.GET["year"])
        )
    return school_selectors.year_on(school=school, day=school_selectors.school_today(school))


def _errors(request: AuthedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@roles_required(ATTESTATION_USERS)
def index(request: AuthedRequest):
    year = _year(request)
    ctx = request.ctx
    loads, classes = [], []
    if year is not None:
        loads = selectors.teacher_loads(loads=loads_of_teacher(ctx), year=year)
        classes = selectors.classes_with_targets(classes=classes_with_sheet(ctx), year=year)
    return render(
        request,
        "attestation/index.html",
        {
            "year": year,
            "loads": loads,
            "classes": classes,
            "is_deputy": is_deputy(ctx),
            "is_overseer": is_overseer(ctx),
            "can_read_settings": bool(ctx.roles & (SETTINGS_EDITORS | OVERSEERS)),
        },
    )


# --- Entry of period marks ------------------------------------------------------------


@roles_required(TEACHERS)
def entry(request: AuthedRequest, group_id: int, subject_id: int, slug: str):
    load = load_for_entry(request.ctx, group_id, subject_id)
    group, subject = load.group, load.subject
    target = selectors.target_for(year=group.year, grade=selectors.group_grade(group), slug=slug)
    if target is None:
        raise deny()
    today = school_selectors.school_today(request.ctx.school_or_404())
    sheet = selectors.entry_sheet(
        group=group,
        subject=subject,
        target=target,
        today=today,
        hours_per_week=load.hours_per_week,
    )
    # Students who left the group or the school are shown, but take no period mark here.
    student_ids = [row.student.pk for row in sheet.rows if not row.gone]
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST":
        form = forms.EntryForm(request.POST, student_ids=student_ids)
        if form.is_valid():
            entries = [
                services.PeriodMarkEntry(sid, value, comment, version)
                for sid, value, comment, version in form.entries()
            ]
            try:
                changed = services.period_marks_save(
                    actor=request.user,
                    staff=request.ctx.staff,
                    group=group,
                    subject=subject,
                    target=target,
                    entries=entries,
                )
            except services.PeriodMarksRefused as exc:
                for key, errs in exc.message_dict.items():
                    row_errors[int(key.removeprefix("student_"))] = errs
                messages.error(request, "Отметки не сохранены: исправьте строки с ошибками.")
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, f"Сохранено отметок: {changed}.")
                return redirect(request.path)
        else:
            messages.error(request, "Проверьте введённые значения.")
    else:
        initial: dict[str, object] = {}
        for row in sheet.rows:
            mark, sid = row.period_mark, row.student.pk
            initial[f"mark_{sid}"] = mark.get_value_display() if mark else ""
            initial[f"comment_{sid}"] = mark.comment if mark else ""
            initial[f"version_{sid}"] = mark.version if mark else None
        form = forms.EntryForm(student_ids=student_ids, initial=initial)
    rows = [
        {"row": row}
        if row.gone
        else {
            "row": row,
            "mark_field": form[f"mark_{row.student.pk}"],
            "comment_field": form[f"comment_{row.student.pk}"],
            "version_field": form[f"version_{row.student.pk}"],
            "errors": row_errors.get(row.student.pk, []),
        }
        for row in sheet.rows
    ]
    return render(
        request,
        "attestation/entry.html",
        {"sheet": sheet, "rows": rows, "form": form, "input_help": services.INPUT_HELP},
    )


# --- Summary sheet and council decisions ------------------------------------------------


def _sheet_target(school_class, slug: str):
    target = selectors.target_for(year=school_class.year, grade=school_class.grade, slug=slug)
    if target is None or target.kind not in ("period", "year"):
        raise deny()
    return target


@roles_required(SHEET_READERS)
def sheet(request: AuthedRequest, class_id: int, slug: str):
    school_class = class_for_sheet(request.ctx, class_id)
    target = _sheet_target(school_class, slug)
    data = selectors.summary_sheet(school_class=school_class, target=target)
    return render(
        request,
        "attestation/sheet.html",
        {
            "sheet": data,
            "can_decide": is_deputy(request.ctx) and data.is_year,
            "decision_form": forms.DecisionForm(),
        },
    )


@roles_required(DEPUTY)
def decision(request: AuthedRequest, class_id: int, student_id: int):
    school_class = class_for_sheet(request.ctx, class_id)
    enrollment = (
        ClassEnrollment.objects.filter(school_class=school_class, student_id=student_id)
        .select_related("student")
        .first()
    )
    if enrollment is None:
        raise deny()
    student = enrollment.student
    recorded = selectors.council_decision_of(student=student, year=school_class.year)
    initial = forms.DecisionForm.initial_for(recorded)
    form = forms.DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.council_decision_set(
                actor=request.user,
                school_class=school_class,
                student=student,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, f"Решение педагогического совета для {student.short_name} записано."
            )
            return redirect(reverse("attestation:sheet", args=[school_class.pk, "year"]))
    return render(
        request,
        "attestation/decision.html",
        {"form": form, "student": student, "school_class": school_class},
    )


# --- Closing periods ----------------------------------------------------------------------


@roles_required(OVERSEERS)
def closures(request: AuthedRequest):
    year = _year(request)
    periods = selectors.closures_of_year(year=year) if year else []
    settings = selectors.settings_of(request.ctx.school)
    today = school_selectors.school_today(request.ctx.school_or_404())
    items = [
        {
            "period": p,
            "closure": closure,
            "opens": selectors.closing_opens_on(period=p, settings=settings),
        }
        for p, closure in periods
    ]
    return render(
        request,
        "attestation/closures.html",
        {
            "year": year,
            "items": items,
            "today": today,
            "reopen_form": forms.ReopenForm(),
            "can_close": is_deputy(request.ctx),
        },
    )


def _period(request: AuthedRequest, period_id: int) -> StudyPeriod:
    return get_in_school_or_404(
        StudyPeriod.objects.select_related("band__year__school"),
        request,
        field="band__year__school",
        id=period_id,
    )


@require_POST
@roles_required(DEPUTY)
def close(request: AuthedRequest, period_id: int):
    period = _period(request, period_id)
    try:
        services.period_close(actor=request.user, period=period)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Период «{period.name}» закрыт.")
    return redirect(reverse("attestation:closures") + f"?year={period.band.year_id}")


@require_POST
@roles_required(DEPUTY)
def reopen(request: AuthedRequest, period_id: int):
    period = _period(request, period_id)
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите причину повторного открытия периода.")
    else:
        try:
            services.period_reopen(
                actor=request.user, period=period, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"Период «{period.name}» открыт повторно.")
    return redirect(reverse("attestation:closures") + f"?year={period.band.year_id}")


# --- Objectivity and settings ---------------------------------------------------------------


@roles_required(OVERSEERS)
def objectivity(request: AuthedRequest):
    year = _year(request)
    marks = selectors.marks_for_review(school=request.ctx.school, year=year) if year else []
    return render(request, "attestation/objectivity.html", {"year": year, "marks": marks})


@roles_required(SETTINGS_EDITORS | OVERSEERS)
def settings_edit(request: AuthedRequest):
    school = request.ctx.school
    can_edit = bool(request.ctx.roles & SETTINGS_EDITORS)
    if request.method == "POST" and not can_edit:
        raise deny()
    current = selectors.settings_of(school)
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    form = forms.SettingsForm(request.POST or None, initial=initial)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.attestation_settings_update(
                actor=request.user, school=school, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Настройки аттестации сохранены.")
            return redirect("attestation:settings")
    return render(request, "attestation/settings.html", {"form": form, "can_edit": can_edit})


# --- Corrections after the window -------------------------------------------------------


@roles_required(TEACHERS)
def correction_create(
    request: AuthedRequest, group_id: int, subject_id: int, slug: str, student_id: int
):
    load = load_for_entry(request.ctx, group_id, subject_id)
    group, subject = load.group, load.subject
    target = selectors.target_for(year=group.year, grade=selectors.group_grade(group), slug=slug)
    student = Student.objects.filter(pk=student_id, school=request.ctx.school).first()
    if target is None or student is None:
        raise deny()
    form = forms.CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_mark_correction_create(
                actor=request.user,
                staff=request.ctx.staff,
                group=group,
                subject=subject,
                target=target,
                student=student,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Запрос отправлен заместителю директора.")
            return redirect("attestation:corrections")
    return render(
        request,
        "attestation/correction_form.html",
        {"form": form, "group": group, "subject": subject, "target": target, "student": student},
    )


@roles_required(TEACHERS | OVERSEERS)
def corrections(request: AuthedRequest):
    return render(
        request,
        "attestation/corrections.html",
        {
            "corrections": selectors.period_mark_corrections_for(request.ctx, request.user),
            "is_deputy": is_deputy(request.ctx),
        },
    )


@roles_required(CORRECTION_DECIDERS)
@require_POST
def correction_decide(request: AuthedRequest, correction_id: int):
    correction = get_in_school_or_404(PeriodMarkCorrection.objects.all(), request, pk=correction_id)
    form = forms.CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите решение.")
        return redirect("attestation:corrections")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        correction_lifecycle.correction_decide(
            actor=request.user,
            correction=correction,
            status=CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED,
            comment=form.cleaned_data["comment"],
            apply=services.period_mark_correction_apply,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            "Запрос одобрен, отметка за период исправлена." if approve else "Запрос отклонён.",
        )
    return redirect("attestation:corrections")
