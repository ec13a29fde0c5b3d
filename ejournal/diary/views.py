"""Diary pages for students and parents: read-only, never cached, one visit row each."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ejournal.accounts.permissions import deny
from ejournal.core.dates import query_date
from ejournal.core.jinja2 import render_fragment
from ejournal.diary import charts, ical, printout, selectors, services
from ejournal.diary.forms import PrintoutForm
from ejournal.diary.models import CalendarFeed, DiaryPage
from ejournal.diary.permissions import LAST_STUDENT_KEY, Reader, family_view, printable_classes
from ejournal.messaging import selectors as messaging
from ejournal.school.http import AuthedRequest, SchoolRequest
from ejournal.school.selectors import school_today


def _context(request: AuthedRequest, reader: Reader, page: str, **extra) -> dict:
    return {
        "reader": reader,
        "student": reader.student,
        "page": page,
        "today": school_today(reader.student.school),
        **extra,
    }


def _int_param(request: AuthedRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@never_cache
@require_GET
@login_required
def index(request: AuthedRequest):
    students = selectors.family_students(request.user)
    if not students:
        raise deny()
    # The child last looked at, else one of the current school, else the eldest.
    last = request.session.get(LAST_STUDENT_KEY)
    chosen = next((s for s in students if s.pk == last), None) or next(
        (s for s in students if s.school_id == getattr(request.ctx.school, "pk", None)),
        students[0],
    )
    return redirect("diary:week", student_id=chosen.pk)


@never_cache
@require_GET
@family_view
def week(request: AuthedRequest, reader: Reader):
    today = school_today(reader.student.school)
    day = today
    raw = request.GET.get("date", "")
    if raw:
        day = query_date(raw) or today
        if query_date(raw) is None:
            messages.error(
                request, "Неверная дата: укажите её в виде ГГГГ-ММ-ДД. Показана текущая неделя."
            )
    services.visit_record(user=request.user, student=reader.student, page=DiaryPage.WEEK)
    data = selectors.student_week(reader.student, day, today)
    student = reader.student
    return render(
        request,
        "diary/week.html",
        _context(
            request,
            reader,
            "week",
            week=data,
            days_html=render_fragment("diary/days.html", week=data, student_id=student.pk),
            # Each student sees only events they take part in, with their own result.
            events=messaging.events_for_student(student=student, start=data.start, end=data.end),
            comments=messaging.teacher_comments_for(
                student=student, start=data.start, end=data.end
            ),
            announcements=messaging.announcements_for(
                user=request.user, school=student.school, day=today, student=student
            ),
        ),
    )


@never_cache
@require_GET
@family_view
def marks(request: AuthedRequest, reader: Reader):
    today = school_today(reader.student.school)
    data = selectors.marks_page(reader.student, today, _int_param(request, "period"))
    services.visit_record(user=request.user, student=reader.student, page=DiaryPage.MARKS)
    period = data.choice.period
    charts_by_subject = {
        s.subject_id: charts.trend_svg(s.trend, period.start, period.end, s.subject)
        for s in data.subjects
        if period is not None
    }
    return render(
        request,
        "diary/marks.html",
        _context(
            request,
            reader,
            "marks",
            data=data,
            subjects_html=render_fragment(
                "diary/subjects.html", data=data, charts=charts_by_subject
            ),
        ),
    )


@never_cache
@require_GET
@family_view
def homework(request: AuthedRequest, reader: Reader):
    today = school_today(reader.student.school)
    items = selectors.upcoming_homework(reader.student, today)
    services.visit_record(user=request.user, student=reader.student, page=DiaryPage.HOMEWORK)
    return render(
        request, "diary/homework.html", _context(request, reader, "homework", items=items)
    )


@never_cache
@require_GET
@family_view
def summary(request: AuthedRequest, reader: Reader):
    today = school_today(reader.student.school)
    data = selectors.student_summary(reader.student, today, _int_param(request, "period"))
    services.visit_record(user=request.user, student=reader.student, page=DiaryPage.SUMMARY)
    return render(request, "diary/summary.html", _context(request, reader, "summary", data=data))


@never_cache
@require_GET
@family_view
def attachment(request: AuthedRequest, reader: Reader, attachment_id: int):
    found = selectors.attachment_for_student(reader.student, attachment_id)
    if found is None:
        raise deny()
    services.visit_record(user=request.user, student=reader.student, page=DiaryPage.ATTACHMENT)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type or "application/octet-stream",
    )


# --- Calendar feed ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def calendar(request: AuthedRequest):
    students = selectors.family_students(request.user)
    if not students:
        raise deny()
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, "Адрес календаря отключён.")
        else:
            services.calendar_feed_renew(user=request.user)
            messages.success(request, "Создан новый адрес календаря; прежний больше не работает.")
        return redirect("diary:calendar")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = (
        request.build_absolute_uri(reverse("diary:ical", kwargs={"token": feed.token}))
        if feed
        else ""
    )
    return render(
        request,
        "diary/calendar.html",
        {"feed": feed, "url": url, "students": students, "page": "calendar"},
    )


@never_cache
@require_GET
def ical_feed(request: SchoolRequest, token: str):
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise deny()
    students = selectors.family_students(feed.user)
    body = ical.family_calendar(students)
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=dt.datetime.now(dt.UTC))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ejournal.ics"'
    return response


# --- Weekly printout -------------------------------------------------------------------


@never_cache
@require_GET
@login_required
def printout_page(request: AuthedRequest):
    classes = printable_classes(request)
    if not classes.exists():
        raise deny()
    form = PrintoutForm(request.GET or None, classes=classes, request=request)
    valid = bool(request.GET) and form.is_valid()
    if valid and "print" in request.GET:
        pdf = printout.weekly_pdf(
            actor=request.user,
            school_class=form.cleaned_data["school_class"],
            students=form.selected_students(),
            day=form.cleaned_data["week"],
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"dnevnik-{form.cleaned_data['week']:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    chosen = {int(v) for v in request.GET.getlist("student") if v.isdigit()}
    return render(
        request,
        "diary/printout.html",
        {"form": form, "members": form.members if valid else [], "chosen": chosen},
    )


# --- PWA -------------------------------------------------------------------------------


@require_GET
def offline(request: SchoolRequest):
    return render(request, "diary/offline.html")


@require_GET
def service_worker(request: SchoolRequest):
    # Served from /diary/ (not /static/) so that it may control the diary pages.
    path = finders.find("diary/sw.js")
    assert isinstance(path, str)  # one file, shipped with the app
    with open(path, encoding="utf-8") as fh:
        response = HttpResponse(fh.read(), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
