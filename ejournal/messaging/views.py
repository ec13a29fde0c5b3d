"""Messaging pages. Views parse input, call one service or selector, and render."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ejournal.accounts.models import Student, shown_name_ordering
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.core.spreadsheet import workbook_bytes
from ejournal.core.widgets import with_default_dates
from ejournal.messaging import forms, selectors, services
from ejournal.messaging.models import SchoolEvent
from ejournal.messaging.permissions import (
    ADMINISTRATION,
    ANNOUNCERS,
    EVENT_EDITORS,
    MAIL_USERS,
    event_student_ids,
    settings_of,
)
from ejournal.school.http import AuthedRequest, SchoolRequest
from ejournal.school.models import SchoolClass
from ejournal.school.selectors import school_today, year_on

EVENT_READERS = MAIL_USERS


def _errors(request: AuthedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@roles_required(MAIL_USERS)
def inbox(request: AuthedRequest):
    query = request.GET.get("q", "")[:100]
    conversations = list(selectors.inbox(user=request.user, school=request.ctx.school, query=query))
    return render(request, "messaging/inbox.html", {"conversations": conversations, "query": query})


def unread(request: SchoolRequest):
    """The nav's unread counter, fetched by htmx after the page loads: one COUNT query here
    instead of one on every page."""
    school = getattr(request.ctx, "school", None)
    count = 0
    if request.user.is_authenticated and school is not None:
        count = selectors.unread_count(user=request.user, school=school)
    return render(request, "messaging/_unread.html", {"unread": count})


@roles_required(MAIL_USERS)
def compose(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today = school_today(school)
    people = selectors.pickable_recipients(user=request.user, school=school, day=today)
    groups = (
        selectors.group_choices(school=school, day=today) if request.ctx.is_staff_member else []
    )
    form = forms.ComposeForm(
        request.POST or None, request.FILES or None, people=people, groups=groups
    )
    if request.method == "POST" and form.is_valid():
        ids = {int(i) for i in form.cleaned_data["recipients"]}
        for key in form.cleaned_data.get("groups") or []:
            ids |= selectors.group_recipient_ids(school=school, key=key, day=today)
        try:
            conversation = services.conversation_start(
                actor=request.user,
                school=school,
                recipient_ids=ids,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Сообщение отправлено.")
            return redirect("messaging:conversation", conversation_id=conversation.pk)
    return render(request, "messaging/compose.html", {"form": form})


@roles_required(MAIL_USERS)
def conversation(request: AuthedRequest, conversation_id: int):
    school = request.ctx.school
    found = selectors.conversation_for(
        user=request.user, school=school, conversation_id=conversation_id
    )
    if found is None:
        raise deny()
    form = forms.ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_reply(
                actor=request.user,
                conversation=found,
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            return redirect("messaging:conversation", conversation_id=found.pk)
    rows = [(m, selectors.receipts(found, m)) for m in found.messages.all()]
    services.conversation_mark_read(user=request.user, conversation=found)
    return render(
        request, "messaging/conversation.html", {"conversation": found, "rows": rows, "form": form}
    )


@roles_required(MAIL_USERS)
def attachment(request: AuthedRequest, attachment_id: int):
    att = selectors.attachment_for(
        user=request.user, school=request.ctx.school, attachment_id=attachment_id
    )
    if att is None:
        raise deny()
    response = FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name)
    response["Content-Type"] = att.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@roles_required(EVENT_EDITORS)
def comment(request: AuthedRequest):
    """A teacher's comment to the parents about a mark (``?mark=``) or a lesson of one
    student (``?lesson=&student=``); it becomes a message and shows in the diary."""
    from ejournal.journal.models import Mark
    from ejournal.schedule.models import Lesson

    params = request.POST if request.method == "POST" else request.GET
    mark = lesson = None
    if params.get("mark", "").isdigit():
        mark = get_in_school_or_404(
            Mark.objects.select_related("work__lesson__subject", "student"),
            request,
            "student__school",
            id=int(params["mark"]),
        )
        student = mark.student
    else:
        if not (params.get("lesson", "").isdigit() and params.get("student", "").isdigit()):
            raise deny()
        lesson = get_in_school_or_404(
            Lesson.objects.select_related("subject"), request, id=int(params["lesson"])
        )
        student = get_in_school_or_404(Student.objects.all(), request, id=int(params["student"]))
    form = forms.CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.teacher_comment_send(
                actor=request.user,
                school=request.ctx.school,
                student=student,
                text=form.cleaned_data["text"],
                mark=mark,
                lesson=lesson,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Комментарий отправлен родителям.")
            return redirect("messaging:conversation", conversation_id=conversation.pk)
    return render(
        request,
        "messaging/comment.html",
        {
            "form": form,
            "mark": mark,
            "lesson": mark.work.lesson if mark is not None else lesson,
            "student": student,
        },
    )


@roles_required(ADMINISTRATION)
def settings_edit(request: AuthedRequest):
    school = request.ctx.school
    conf = settings_of(school)
    initial = {
        "parents_to_teachers": conf.parents_to_teachers,
        "parents_to_administration": conf.parents_to_administration,
        "students_to_teachers": conf.students_to_teachers,
    }
    form = forms.SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.messaging_settings_save(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Настройки сообщений сохранены.")
            return redirect("messaging:settings")
    return render(request, "messaging/settings.html", {"form": form})


@roles_required(MAIL_USERS)
def announcements(request: AuthedRequest):
    school = request.ctx.school_or_404()
    items = selectors.announcements_for(user=request.user, school=school, day=school_today(school))
    return render(
        request,
        "messaging/announcements.html",
        {"announcements": items, "can_create": bool(request.ctx.roles & ANNOUNCERS)},
    )


def _classes(school):
    year = year_on(school=school, day=school_today(school))
    return list(SchoolClass.objects.filter(school=school, year=year).order_by("grade", "letter"))


@roles_required(ANNOUNCERS)
def announcement_new(request: AuthedRequest):
    school = request.ctx.school_or_404()
    classes = _classes(school)
    form = forms.AnnouncementForm(
        request.POST or None,
        request.FILES or None,
        classes=classes,
        initial={"publish_from": school_today(school)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        school_class = next((c for c in classes if str(c.pk) == data["school_class"]), None)
        try:
            services.announcement_create(
                actor=request.user,
                school=school,
                audience=data["audience"],
                title=data["title"],
                body=data["body"],
                publish_from=data["publish_from"],
                publish_until=data["publish_until"],
                grade=data["grade"],
                school_class=school_class,
                uploads=data["attachments"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Объявление опубликовано.")
            return redirect("messaging:announcements")
    return render(request, "messaging/announcement_form.html", {"form": form})


def _period(request: AuthedRequest, school) -> tuple[dt.date, dt.date, forms.PeriodForm]:
    today = school_today(school)
    year = year_on(school=school, day=today)
    default = (year.start, year.end) if year else (today, today + dt.timedelta(days=30))
    defaults = {"start": default[0], "end": default[1]}
    # A blank end of the period is the default's: the filter works before a date is picked.
    form = forms.PeriodForm(with_default_dates(request.GET, defaults) or None, initial=defaults)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if start <= end:
            return start, end, form
        form.add_error("end", "Дата окончания раньше даты начала.")
    return default[0], default[1], form


@roles_required(EVENT_READERS)
def events(request: AuthedRequest):
    school = request.ctx.school
    start, end, form = _period(request, school)
    items = selectors.events_for_user(user=request.user, school=school, start=start, end=end)
    return render(
        request,
        "messaging/events.html",
        {
            "events": items,
            "form": form,
            "start": start,
            "end": end,
            "is_staff": request.ctx.is_staff_member,
            "can_create": bool(request.ctx.roles & EVENT_EDITORS),
        },
    )


@roles_required(EVENT_EDITORS)
def event_new(request: AuthedRequest):
    school = request.ctx.school
    classes = _classes(school)
    students = list(Student.objects.filter(school=school).order_by(*shown_name_ordering()))
    form = forms.EventForm(request.POST or None, classes=classes, students=students)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_classes = [c for c in classes if str(c.pk) in data["classes"]]
        chosen_students = [s for s in students if str(s.pk) in data["students"]]
        try:
            event = services.event_create(
                actor=request.user,
                school=school,
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                description=data["description"],
                classes=chosen_classes,
                students=chosen_students,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Событие добавлено.")
            return redirect("messaging:event_detail", event_id=event.pk)
    return render(request, "messaging/event_form.html", {"form": form})


@roles_required(EVENT_EDITORS)
def event_detail(request: AuthedRequest, event_id: int):
    school = request.ctx.school_or_404()
    event = get_in_school_or_404(SchoolEvent.objects.all(), request, id=event_id)
    allowed = event_student_ids(user=request.user, school=school, day=school_today(school))
    visible = Student.objects.filter(school=school).order_by(*shown_name_ordering())
    if allowed is not None:
        visible = visible.filter(pk__in=allowed)
    students = list(visible)
    event = selectors.event_with_results(school=school, event_id=event.pk) or event
    results = _visible_results(event, allowed)
    form = forms.ResultForm(
        request.POST or None, students=students, initial=_result_initial(request, results)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = next(s for s in students if str(s.pk) == data["student"])
        try:
            services.event_result_set(
                actor=request.user,
                event=event,
                student=student,
                place=data["place"],
                diploma=data["diploma"],
                score=data["score"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Результат сохранён.")
            return redirect("messaging:event_detail", event_id=event.pk)
    editable = {str(s.pk) for s in students}
    return render(
        request,
        "messaging/event_detail.html",
        {"event": event, "results": results, "form": form, "editable": editable},
    )


def _score_text(score: Decimal) -> str:
    """87.50 → «87,5», 41.00 → «41»: as a person writes it, and as the form reads it back."""
    return format(score.normalize(), "f").replace(".", ",")


def _result_initial(request: AuthedRequest, results: list) -> dict[str, object]:
    """The form opened from a result's «Изменить» link shows that result to correct."""
    wanted = request.GET.get("student", "")
    for result in results:
        if str(result.student_id) == wanted:
            score = "" if result.score is None else _score_text(result.score)
            return {
                "student": wanted,
                "place": result.place,
                "diploma": result.diploma,
                "score": score,
            }
    return {}


def _visible_results(event, allowed: set[int] | None) -> list:
    """The event's results this user may see (a teacher: their own pupils')."""
    return [p for p in event.participants.all() if allowed is None or p.student_id in allowed]


@roles_required(EVENT_EDITORS)
def event_report(request: AuthedRequest):
    school = request.ctx.school_or_404()
    start, end, form = _period(request, school)
    allowed = event_student_ids(user=request.user, school=school, day=school_today(school))
    items = list(selectors.events_in(school=school, start=start, end=end))
    for e in items:
        e.results = _visible_results(e, allowed)  # type: ignore[attr-defined]
    return render(
        request,
        "messaging/event_report.html",
        {"events": items, "form": form, "start": start, "end": end},
    )


@roles_required(EVENT_EDITORS)
def event_report_xlsx(request: AuthedRequest):
    from openpyxl import Workbook

    school = request.ctx.school_or_404()
    start, end, _ = _period(request, school)
    wb = Workbook()
    ws = wb.active
    ws.title = "События"
    ws.append([f"События и результаты с {start:%d.%m.%Y} по {end:%d.%m.%Y}"])
    ws.append(["Дата", "Вид", "Событие", "Место проведения", "Ученик", "Место", "Диплом", "Баллы"])
    allowed = event_student_ids(user=request.user, school=school, day=school_today(school))
    for e in selectors.events_in(school=school, start=start, end=end):
        # The school's own clock, not the database's UTC.
        starts = timezone.localtime(e.starts_at, zoneinfo.ZoneInfo(school.time_zone))
        base = [starts.strftime("%d.%m.%Y %H:%M"), e.get_kind_display(), e.title, e.place]
        rows = _visible_results(e, allowed)
        if not rows:
            ws.append(base)
        for p in rows:
            score = float(p.score) if p.score is not None else None
            ws.append(base + [p.student.full_name, p.place, p.diploma, score])
    response = HttpResponse(
        workbook_bytes(wb),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="events-{start}-{end}.xlsx"'
    return response
