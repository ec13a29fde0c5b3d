"""КТП pages and programme fulfilment. Views parse, call one service or selector, render.

Every plan is fetched through ``planning.permissions``: a plan the user may not see
answers 404 exactly like a missing one. Item edits work without JavaScript (full pages
and redirects) and, with htmx, swap the plan body in place.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from ejournal.accounts.models import Role, StaffMember
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.core.dates import query_date
from ejournal.planning import forms, permissions, selectors, services
from ejournal.planning.io import plan_csv, plan_xlsx, table_xlsx
from ejournal.planning.models import ThematicPlan
from ejournal.planning.permissions import PLANNING_ROLES
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import AcademicYear, SchoolClass, TeachingLoad

# --- helpers ------------------------------------------------------------------------


def _today(request: AuthedRequest) -> dt.date:
    return school_selectors.school_today(request.ctx.school_or_404())


def _chosen_year(request: AuthedRequest) -> tuple[AcademicYear | None, list[AcademicYear]]:
    school = request.ctx.school_or_404()
    years = list(school_selectors.years_of_school(school=school))
    wanted = request.GET.get("year", "")
    if wanted.isdigit():
        for year in years:
            if year.pk == int(wanted):
                return year, years
        raise deny()
    return school_selectors.year_on(school=school, day=_today(request)), years


def _on_date(request: AuthedRequest) -> dt.date:
    """?on=YYYY-MM-DD: the date fulfilment is computed for (default: today)."""
    return query_date(request.GET.get("on")) or _today(request)


def _staff_scope(request: AuthedRequest):
    """None for those who see the whole school; the teacher's own staff row otherwise."""
    return None if permissions.reads_all(request.ctx) else request.ctx.staff


def _teachers(request: AuthedRequest):
    return StaffMember.objects.filter(school=request.ctx.school, is_active=True).order_by(
        "last_name", "first_name"
    )


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _file_stem(plan: ThematicPlan) -> str:
    target = plan.group.name if plan.group is not None else f"{plan.grade} параллель"
    return f"КТП {plan.subject.name} {target} {plan.year.name}".replace("/", "-")


# --- plan list and creation --------------------------------------------------------


@roles_required(PLANNING_ROLES)
def plan_list(request: AuthedRequest):
    year, years = _chosen_year(request)
    staff = _staff_scope(request)
    if staff is None and not permissions.reads_all(request.ctx):
        raise deny()
    rows = selectors.course_rows(year=year, today=_today(request), staff=staff) if year else []
    return render(
        request,
        "planning/plan_list.html",
        {
            "year": year,
            "years": years,
            "rows": rows,
            "grade_plans": selectors.grade_plans(year=year, staff=staff) if year else [],
            "can_create": year is not None
            and (permissions.edits_all(request.ctx) or Role.TEACHER in request.ctx.roles),
        },
    )


@roles_required(PLANNING_ROLES)
def plan_create(request: AuthedRequest):
    year, _ = _chosen_year(request)
    if year is None:
        raise deny()
    groups, grades = permissions.creatable_targets(request.ctx, year)
    if not groups and not grades:
        raise deny()
    is_deputy = permissions.edits_all(request.ctx)
    initial = {"target": request.GET.get("target", "")}
    form = forms.PlanCreateForm(
        request.POST or None,
        initial=initial,
        groups=groups,
        grades=grades,
        staff_choices=_teachers(request) if is_deputy else None,
    )
    if request.method == "POST" and form.is_valid():
        kind, first, subject_id = form.cleaned_data["target"]
        subjects = {s.pk: s for _, s in groups} | {s.pk: s for _, s in grades}
        group = next((g for g, s in groups if g.pk == first and s.pk == subject_id), None)
        owner = form.cleaned_data.get("owner") if is_deputy else request.ctx.staff
        if owner is None and group is not None:
            load = TeachingLoad.objects.filter(group=group, subject_id=subject_id).first()
            owner = load.teacher if load else None
        try:
            plan = services.thematic_plan_create(
                actor=request.user,
                year=year,
                subject=subjects[subject_id],
                group=group if kind == "g" else None,
                grade=first if kind == "p" else None,
                owner=owner,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, "КТП создан. Добавьте темы, загрузите файл или скопируйте план."
            )
            return redirect("planning:plan_detail", plan_id=plan.pk)
    return render(
        request,
        "planning/form.html",
        {
            "form": form,
            "title": f"Новый КТП ({year})",
            "cancel_url": reverse("planning:plan_list") + f"?year={year.pk}",
            "submit": "Создать",
        },
    )


# --- plan page and items -----------------------------------------------------------


def _body_context(request: AuthedRequest, plan: ThematicPlan, *, add_form=None) -> dict:
    items = selectors.items_of(plan)
    return {
        "plan": plan,
        "items": items,
        "validation": selectors.plan_validation(plan=plan, items=items, today=_today(request)),
        "coverage": selectors.coverage(plan=plan, items=items),
        "can_edit": permissions.can_edit_plan(request.ctx, plan),
        "add_form": add_form or forms.PlanItemAddForm(),
    }


def _body_response(request: AuthedRequest, plan: ThematicPlan, **kwargs) -> HttpResponse:
    return render(request, "planning/_plan_body.html", _body_context(request, plan, **kwargs))


@roles_required(PLANNING_ROLES)
def plan_detail(request: AuthedRequest, plan_id: int):
    plan = permissions.plan_for_read(request.ctx, plan_id)
    context = _body_context(request, plan)
    if context["can_edit"] and permissions.edits_all(request.ctx):
        context["owner_form"] = forms.OwnerForm(
            initial={"owner": plan.owner_id}, staff_choices=_teachers(request)
        )
    return render(request, "planning/plan_detail.html", context)


def _after_item_write(request: AuthedRequest, plan: ThematicPlan) -> HttpResponse:
    if request.htmx:
        return _body_response(request, plan)
    return redirect("planning:plan_detail", plan_id=plan.pk)


@require_POST
@roles_required(PLANNING_ROLES)
def item_add(request: AuthedRequest, plan_id: int):
    plan = permissions.plan_for_edit(request.ctx, plan_id)
    form = forms.PlanItemAddForm(request.POST)
    if form.is_valid():
        try:
            services.plan_item_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not request.htmx:
                messages.success(request, "Тема добавлена.")
            return _after_item_write(request, plan)
    if request.htmx:
        return _body_response(request, plan, add_form=form)
    context = _body_context(request, plan, add_form=form)
    return render(request, "planning/plan_detail.html", context)


@roles_required(PLANNING_ROLES)
def item_edit(request: AuthedRequest, item_id: int):
    item = permissions.item_for_edit(request.ctx, item_id)
    plan = item.plan
    initial = {
        "section": item.section,
        "topic": item.topic,
        "hours": item.hours,
        "kind": item.kind,
        "planned_date": item.planned_date,
    }
    form = forms.PlanItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _after_item_write(request, plan)
    if request.htmx:
        response = render(request, "planning/_item_edit_row.html", {"item": item, "form": form})
        if request.method == "POST":
            response = reswap(retarget(response, f"#item-{item.pk}"), "outerHTML")
        return response
    return render(
        request,
        "planning/form.html",
        {
            "form": form,
            "title": f"Тема №{item.number}: {plan.subject}, {plan.target_label}",
            "cancel_url": reverse("planning:plan_detail", args=[plan.pk]),
            "submit": "Сохранить",
        },
    )


@require_POST
@roles_required(PLANNING_ROLES)
def item_delete(request: AuthedRequest, item_id: int):
    item = permissions.item_for_edit(request.ctx, item_id)
    plan = item.plan
    services.plan_item_delete(actor=request.user, item=item)
    if not request.htmx:
        messages.success(request, "Тема удалена.")
    return _after_item_write(request, plan)


@require_POST
@roles_required(PLANNING_ROLES)
def item_move(request: AuthedRequest, item_id: int):
    item = permissions.item_for_edit(request.ctx, item_id)
    form = forms.MoveForm(request.POST)
    if form.is_valid():
        services.plan_item_move(
            actor=request.user, item=item, position=form.cleaned_data["position"]
        )
    return _after_item_write(request, item.plan)


@require_POST
@roles_required(PLANNING_ROLES)
def plan_delete(request: AuthedRequest, plan_id: int):
    plan = permissions.plan_for_edit(request.ctx, plan_id)
    year_id = plan.year_id
    services.thematic_plan_delete(actor=request.user, plan=plan)
    messages.success(request, "КТП удалён.")
    return redirect(reverse("planning:plan_list") + f"?year={year_id}")


@require_POST
@roles_required(Role.DEPUTY)
def plan_owner(request: AuthedRequest, plan_id: int):
    plan = permissions.plan_for_edit(request.ctx, plan_id)
    form = forms.OwnerForm(request.POST, staff_choices=_teachers(request))
    if form.is_valid():
        services.thematic_plan_set_owner(
            actor=request.user, plan=plan, owner=form.cleaned_data["owner"]
        )
        messages.success(request, "Учитель плана изменён.")
    else:
        messages.error(request, "Выберите учителя из списка.")
    return redirect("planning:plan_detail", plan_id=plan.pk)


# --- import, export, copy ----------------------------------------------------------


@roles_required(PLANNING_ROLES)
def plan_import(request: AuthedRequest, plan_id: int):
    plan = permissions.plan_for_edit(request.ctx, plan_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = services.thematic_plan_import(
                actor=request.user, plan=plan, name=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"Загружено тем: {count}. Прежние темы плана заменены.")
            return redirect("planning:plan_detail", plan_id=plan.pk)
    return render(
        request,
        "planning/import.html",
        {"plan": plan, "form": form, "errors": errors},
    )


@roles_required(PLANNING_ROLES)
def plan_export(request: AuthedRequest, plan_id: int, fmt: str):
    plan = permissions.plan_for_read(request.ctx, plan_id)
    items = selectors.items_of(plan)
    stem = _file_stem(plan)
    if fmt == "csv":
        return _download(plan_csv(items), f"{stem}.csv", "text/csv; charset=utf-8")
    return _download(
        plan_xlsx(items, title=stem),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@roles_required(PLANNING_ROLES)
def plan_copy(request: AuthedRequest, plan_id: int):
    plan = permissions.plan_for_edit(request.ctx, plan_id)
    readable = set(permissions.plans_readable_by(request.ctx).values_list("pk", flat=True))
    sources = [p for p in selectors.copy_sources(plan=plan) if p.pk in readable]
    form = forms.CopyForm(request.POST or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        source = next(p for p in sources if p.pk == form.cleaned_data["source"])
        try:
            count = services.thematic_plan_copy(actor=request.user, plan=plan, source=source)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Скопировано тем: {count}. Прежние темы плана заменены.")
            return redirect("planning:plan_detail", plan_id=plan.pk)
    return render(
        request,
        "planning/copy.html",
        {"plan": plan, "form": form, "sources": sources},
    )


# --- programme fulfilment ----------------------------------------------------------

FULFILMENT_HEADERS = [
    "Класс / группа",
    "Предмет",
    "Учитель",
    "КТП",
    "Часов в КТП",
    "Должно быть пройдено, ч",
    "Проведено уроков",
    "Пройдено по КТП, ч",
    "Отставание, ч",
    "Тем не пройдено в срок",
    "Уроков без темы",
    "Отменено и не возмещено",
]


def _fulfilment_xlsx_row(row: selectors.Fulfilment) -> list:
    plan = "нет" if row.plan is None else ("общий" if row.plan.group_id is None else "свой")
    return [
        str(row.group),
        str(row.subject),
        ", ".join(row.teachers),
        plan,
        row.plan_hours if row.plan else None,
        row.planned_to_date if row.plan else None,
        row.held,
        row.covered if row.plan else None,
        row.lag if row.plan else None,
        row.overdue_items if row.plan else None,
        row.without_topic,
        row.cancelled_not_made_up,
    ]


@roles_required(PLANNING_ROLES)
def fulfilment(request: AuthedRequest):
    year, years = _chosen_year(request)
    on = _on_date(request)
    staff = _staff_scope(request)
    if staff is None and not permissions.reads_all(request.ctx):
        raise deny()
    school_class = None
    class_id = request.GET.get("class", "")
    if class_id.isdigit():
        school_class = get_in_school_or_404(SchoolClass.objects.all(), request, id=int(class_id))
        if year is None or school_class.year_id != year.pk:
            raise deny()
    rows = (
        selectors.fulfilment_rows(year=year, today=on, staff=staff, school_class=school_class)
        if year
        else []
    )
    if request.GET.get("format") == "xlsx":
        scope = f"класс {school_class}" if school_class else "вся школа"
        if staff is not None:
            scope = f"учитель {staff.short_name}"
        return _download(
            table_xlsx(
                title=f"Выполнение программы на {on:%d.%m.%Y}, {year}, {scope}",
                headers=FULFILMENT_HEADERS,
                rows=[_fulfilment_xlsx_row(r) for r in rows],
                widths=[14, 22, 22, 8, 10, 12, 10, 10, 10, 10, 10, 12],
            ),
            f"Выполнение программы {on:%Y-%m-%d}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    classes = (
        list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
        if year and staff is None
        else []
    )
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(
        request,
        "planning/fulfilment.html",
        {
            "year": year,
            "years": years,
            "rows": rows,
            "totals": selectors.fulfilment_totals(rows),
            "on": on,
            "classes": classes,
            "school_class": school_class,
            "xlsx_query": query.urlencode(),
            "whole_school": staff is None,
        },
    )


@roles_required(PLANNING_ROLES)
def fulfilment_course(request: AuthedRequest, group_id: int, subject_id: int):
    group, subject, teachers = permissions.course_for_read(request.ctx, group_id, subject_id)
    on = _on_date(request)
    detail = selectors.fulfilment_detail(group=group, subject=subject, teachers=teachers, today=on)
    plan = detail.fulfilment.plan
    return render(
        request,
        "planning/fulfilment_course.html",
        {
            "detail": detail,
            "row": detail.fulfilment,
            "on": on,
            "plan_visible": plan is not None
            and permissions.plans_readable_by(request.ctx).filter(pk=plan.pk).exists(),
        },
    )
