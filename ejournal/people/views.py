"""People pages (/people/): a student's card, guardians' consent, code names by order."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts.models import (
    HOMEROOM,
    ConsentStatus,
    Guardian,
    Role,
    Student,
    StudentGuardian,
    shown_name_ordering,
)
from ejournal.accounts.permissions import (
    deny,
    get_in_school_or_404,
    letters_job_for,
    roles_required,
)
from ejournal.core.dates import query_date
from ejournal.core.widgets import DateInput
from ejournal.people import credentials, health
from ejournal.people import services as people_services
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest, SchoolRequest
from ejournal.school.models import SchoolClass
from ejournal.school.selectors import school_today

CARD_ROLES = (Role.ADMIN, Role.OPERATOR, Role.DEPUTY, HOMEROOM)
# The director reads every card and class list the deputy reads, and changes nothing there.
CARD_READERS = (*CARD_ROLES, Role.DIRECTOR)
SCHOOL_WIDE_READERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.DEPUTY, Role.DIRECTOR})
ORDER_ROLES = (Role.ADMIN, Role.OPERATOR)


class ConsentForm(forms.Form):
    status = forms.ChoiceField(label="Согласие", choices=ConsentStatus.choices)
    date = forms.DateField(label="Дата", widget=DateInput())
    document = forms.CharField(label="Реквизиты документа", max_length=200, required=False)


class PseudonymForm(forms.Form):
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = forms.DateField(label="Дата приказа", widget=DateInput())


def _school_today(request: SchoolRequest) -> dt.date:
    """Today where the school is (its time zone), not on the server's clock."""
    return school_today(request.ctx.school_or_404())


def _visible_students(request: AuthedRequest):
    """Students of the school; a homeroom teacher only sees the current class's students."""
    qs = Student.objects.filter(school=request.ctx.school)
    if request.ctx.roles & SCHOOL_WIDE_READERS:
        return qs
    today = _school_today(request)
    return qs.filter(
        Q(enrollments__date_to__isnull=True) | Q(enrollments__date_to__gte=today),
        enrollments__school_class__homeroom_teacher=request.ctx.staff,
        enrollments__date_from__lte=today,
    ).distinct()


def _student(request: AuthedRequest, student_id: int) -> Student:
    student = (
        _visible_students(request)
        .select_related("pseudonym_order")
        .prefetch_related(
            Prefetch(
                "guardian_links",
                queryset=StudentGuardian.objects.select_related(
                    "guardian__consent", "guardian__user"
                ),
            )
        )
        .filter(pk=student_id)
        .first()
    )
    if student is None:
        raise deny()
    return student


def may_edit_card(request: SchoolRequest) -> bool:
    """Whether the acting user keeps the cards of students visible to them (the director
    only reads)."""
    return bool(request.ctx.roles & set(CARD_ROLES))


@never_cache
@roles_required(*CARD_READERS)
def student_card(request: AuthedRequest, student_id: int):
    from ejournal.people import movement_views

    student = _student(request, student_id)
    links = list(student.guardian_links.all())
    today = _school_today(request)
    return render(
        request,
        "people/student_card.html",
        {
            "student": student,
            "school_class": school_selectors.class_of_student_on(student=student, day=today),
            "check_due": {
                link.guardian_id
                for link in links
                if health.guardian_check_due(link.guardian, today)
            },
            "links": [
                (
                    link,
                    ConsentForm(
                        prefix=f"g{link.guardian_id}", initial={"date": _school_today(request)}
                    ),
                )
                for link in links
            ],
            "minimal": any(
                getattr(link.guardian, "consent", None)
                and link.guardian.consent.status != ConsentStatus.GIVEN
                for link in links
            ),
            "can_edit": may_edit_card(request),
            "can_order": bool(request.ctx.roles & set(ORDER_ROLES)),
            "pseudonym_form": PseudonymForm(initial={"order_date": _school_today(request)}),
            "order_note": people_services.order_note(student),
            "history": movement_views.history(student),
            "transfer_form": movement_views.TransferForm(classes=movement_views._classes(request)),
            "leave_form": movement_views.LeaveForm(),
        },
    )


@require_POST
@roles_required(*CARD_ROLES)
def consent_record(request: AuthedRequest, student_id: int, guardian_id: int):
    student = _student(request, student_id)
    guardian = get_in_school_or_404(
        Guardian.objects.filter(student_links__student=student), request, id=guardian_id
    )
    form = ConsentForm(request.POST, prefix=f"g{guardian.pk}")
    if not form.is_valid():
        messages.error(
            request,
            "Проверьте поля согласия: "
            + "; ".join(
                f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
                for f, e in form.errors.items()
            ),
        )
        return redirect("people:student_card", student.pk)
    try:
        people_services.consent_record(guardian=guardian, actor=request.user, **form.cleaned_data)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "Согласие записано.")
    return redirect("people:student_card", student.pk)


@require_POST
@roles_required(*ORDER_ROLES)
def student_pseudonymise(request: AuthedRequest, student_id: int):
    student = _student(request, student_id)
    form = PseudonymForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите номер и дату приказа.")
        return redirect("people:student_card", student.pk)
    try:
        people_services.student_pseudonymise(
            student=student, actor=request.user, **form.cleaned_data
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "Приказ издан, кодовое имя присвоено.")
    return redirect("people:student_card", student.pk)


CREDENTIAL_ROLES = (Role.ADMIN, HOMEROOM)
KEEP_MINUTES = int(credentials.LETTERS_KEEP.total_seconds() // 60)
ROSTER_ROLES = (Role.ADMIN, Role.OPERATOR, Role.DEPUTY, HOMEROOM, Role.DIRECTOR)


def _class(request: AuthedRequest, class_id: int, *, editors_only: bool = False) -> SchoolClass:
    school_class = get_in_school_or_404(
        SchoolClass.objects.select_related("year", "homeroom_teacher"),
        request,
        id=class_id,
    )
    roles = request.ctx.roles
    wide = {Role.ADMIN} if editors_only else SCHOOL_WIDE_READERS
    if not (roles & wide) and school_class.homeroom_teacher_id != getattr(
        request.ctx.staff, "pk", None
    ):
        raise deny()
    return school_class


def _roster(school_class: SchoolClass, on: dt.date) -> list[Student]:
    return list(
        Student.objects.filter(
            Q(enrollments__date_to__isnull=True) | Q(enrollments__date_to__gte=on),
            enrollments__school_class=school_class,
            enrollments__date_from__lte=on,
        )
        .select_related("user", "pseudonym_order")
        .prefetch_related(
            Prefetch(
                "guardian_links",
                queryset=StudentGuardian.objects.select_related("guardian").order_by("pk"),
            )
        )
        .distinct()
        .order_by(*shown_name_ordering())
    )


@never_cache
@roles_required(*ROSTER_ROLES)
def class_roster(request: AuthedRequest, class_id: int):
    school_class = _class(request, class_id)
    on = query_date(request.GET.get("date")) or _school_today(request)
    students = _roster(school_class, on)
    today = _school_today(request)
    checks: dict[int, bool] = {}
    for student_id, checked_on in Guardian.objects.filter(
        student_links__student__in=students
    ).values_list("student_links__student", "checked_on"):
        due = checked_on is None or (today - checked_on).days >= health.CHECK_EVERY_DAYS
        checks[student_id] = checks.get(student_id, False) or due
    can_issue = bool(request.ctx.roles & {Role.ADMIN}) or (
        school_class.homeroom_teacher_id == getattr(request.ctx.staff, "pk", None)
    )
    return render(
        request,
        "people/class_roster.html",
        {
            "school_class": school_class,
            "students": students,
            "check_due": {student_id for student_id, due in checks.items() if due},
            "on": on,
            "can_issue": can_issue,
        },
    )


def _pdf_response(letters, school, filename: str) -> HttpResponse:
    pdf = credentials.credentials_pdf(letters=letters, school=school)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class ClassCredentialsForm(forms.Form):
    confirm = forms.BooleanField(
        label="Да, заменить пароли всех учеников и родителей класса",
        error_messages={"required": "Подтвердите, что старые пароли класса нужно заменить."},
    )


@never_cache
@roles_required(*CREDENTIAL_ROLES)
def class_credentials(request: AuthedRequest, class_id: int):
    """A whole class's letters replace every family password at once: first a page that
    says who will get one (and who will not), and only a confirmed POST issues them."""
    school_class = _class(request, class_id, editors_only=True)
    students = _roster(school_class, _school_today(request))
    if not students:
        messages.error(request, "В классе нет учеников: выдавать реквизиты некому.")
        return redirect("people:class_roster", school_class.pk)
    form = ClassCredentialsForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        beyond = credentials.credentials_beyond(students=students)
        return render(
            request,
            "people/class_credentials_confirm.html",
            {
                "school_class": school_class,
                "form": form,
                "students": students,
                "guardian_count": sum(len(s.guardian_links.all()) for s in students),
                "skipped": [s for s in students if s.user_id in beyond]
                + [
                    link.guardian
                    for s in students
                    for link in s.guardian_links.all()
                    if link.guardian.user_id in beyond
                ],
            },
        )
    # About half a second of hashing per account: a whole class is issued in the background.
    job = credentials.letters_job_start(
        actor=request.user, school_class=school_class, students=students
    )
    return redirect("people:letters_job", job.pk)


@never_cache
@roles_required(*CREDENTIAL_ROLES)
def letters_job(request: AuthedRequest, job_id: int):
    job = letters_job_for(request, job_id)
    template = "people/_letters_job.html" if request.htmx else "people/letters_job.html"
    return render(request, template, {"job": job, "keep_minutes": KEEP_MINUTES})


@never_cache
@roles_required(*CREDENTIAL_ROLES)
def letters_job_file(request: AuthedRequest, job_id: int):
    job = letters_job_for(request, job_id)
    try:
        pdf = credentials.letters_job_take(job=job, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("people:letters_job", job.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="credentials-{job.school_class_id}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@roles_required(*CREDENTIAL_ROLES)
def student_credentials(request: AuthedRequest, class_id: int, student_id: int):
    """Letters for one student and the guardians, or for one person: ``who`` is "all",
    "student" or "guardian-<id>"."""
    school_class = _class(request, class_id, editors_only=True)
    student = next(
        (s for s in _roster(school_class, _school_today(request)) if s.pk == student_id), None
    )
    if student is None:
        raise deny()
    who = request.POST.get("who") or "all"
    options: dict = {}
    if who == "student":
        options = {"guardians": False}
    elif who.startswith("guardian-") and who[9:].isdigit():
        options = {"student_too": False, "guardian_id": int(who[9:])}
    elif who != "all":
        raise deny()
    letters = credentials.credentials_issue(
        students=[student], class_name=str(school_class), actor=request.user, **options
    )
    if not letters:
        messages.error(
            request,
            "Реквизиты не выданы: нет согласия на обработку персональных данных, учётная "
            "запись заблокирована или действует и в другой школе (тогда пароль выдаёт служба "
            "технической поддержки муниципалитета).",
        )
        return redirect("people:class_roster", school_class.pk)
    return _pdf_response(letters, request.ctx.school, f"credentials-{student.pk}.pdf")
