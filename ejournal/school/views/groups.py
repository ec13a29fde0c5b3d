"""Study groups, dated membership and the teaching load pages."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import (
    STRUCTURE_EDITORS,
    STRUCTURE_READERS,
    can_edit_structure,
    get_in_school_or_404,
    roles_required,
)
from ejournal.school import forms, selectors, services
from ejournal.school.http import AuthedRequest
from ejournal.school.models import (
    GroupKind,
    GroupMembership,
    StudyGroup,
    TeachingLoad,
)
from ejournal.school.views._common import (
    field_values,
    form_page,
    post_action,
    render_page,
    year_or_404,
)

# --- study groups and their members -----------------------------------------------------


@roles_required(STRUCTURE_READERS)
def group_list(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    today = selectors.school_today(request.ctx.school_or_404())
    day = selectors.day_in_year(year=year, today=today)
    return render_page(
        request,
        "school/group_list.html",
        tab="groups",
        year=year,
        day=day,
        groups=selectors.groups_of_year(year=year, day=day),
        whole_class=GroupKind.WHOLE_CLASS,
    )


@roles_required(STRUCTURE_EDITORS)
def group_create(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    form = forms.StudyGroupForm(request.POST or None, year=year)
    return form_page(
        request,
        form,
        write=lambda data: services.study_group_create(year=year, actor=request.user, **data),
        success_url=lambda group: reverse("school:group_detail", args=[group.pk]),
        success_message="Группа создана.",
        title=f"Новая учебная группа, {year}",
        tab="groups",
        year=year,
        cancel_url=reverse("school:group_list", args=[year.pk]),
    )


def _group(request: AuthedRequest, group_id: int) -> StudyGroup:
    return get_in_school_or_404(
        StudyGroup.objects.select_related("year", "school_class"), request, id=group_id
    )


@roles_required(STRUCTURE_READERS)
def group_detail(request: AuthedRequest, group_id: int):
    group = _group(request, group_id)
    add_form = None
    if group.kind != GroupKind.WHOLE_CLASS and can_edit_structure(request):
        add_form = forms.MembershipAddForm(group=group, initial={"date_from": group.year.start})
    return render_page(
        request,
        "school/group_detail.html",
        tab="groups",
        year=group.year,
        group=group,
        memberships=selectors.memberships_of_group(group=group),
        add_form=add_form,
        whole_class=GroupKind.WHOLE_CLASS,
    )


@roles_required(STRUCTURE_EDITORS)
def group_edit(request: AuthedRequest, group_id: int):
    group = _group(request, group_id)
    form = forms.StudyGroupForm(
        request.POST or None,
        initial=field_values(group, ["name", "kind", "school_class"]),
        year=group.year,
    )
    url = reverse("school:group_detail", args=[group.pk])
    return form_page(
        request,
        form,
        write=lambda data: services.study_group_update(group=group, actor=request.user, **data),
        success_url=url,
        success_message="Группа изменена.",
        title=f"Группа «{group}»",
        tab="groups",
        year=group.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
def group_member_add(request: AuthedRequest, group_id: int):
    group = _group(request, group_id)
    form = forms.MembershipAddForm(
        request.POST or None, group=group, initial={"date_from": group.year.start}
    )
    url = reverse("school:group_detail", args=[group.pk])
    return form_page(
        request,
        form,
        write=lambda data: services.group_membership_create(
            group=group, actor=request.user, **data
        ),
        success_url=url,
        success_message="Ученик добавлен в группу.",
        title=f"Добавить ученика в группу «{group}»",
        tab="groups",
        year=group.year,
        cancel_url=url,
    )


def _membership(request: AuthedRequest, membership_id: int) -> GroupMembership:
    return get_in_school_or_404(
        GroupMembership.objects.select_related(
            "group__year", "group__school_class", "group__school", "student"
        ),
        request,
        "group__school",
        id=membership_id,
    )


@roles_required(STRUCTURE_EDITORS)
def membership_edit(request: AuthedRequest, membership_id: int):
    membership = _membership(request, membership_id)
    form = forms.MembershipDatesForm(
        request.POST or None, initial=field_values(membership, ["date_from", "date_to"])
    )
    url = reverse("school:group_detail", args=[membership.group_id])
    return form_page(
        request,
        form,
        write=lambda data: services.group_membership_update(
            membership=membership, actor=request.user, **data
        ),
        success_url=url,
        success_message="Даты членства изменены.",
        title=f"{membership.student.full_name} в группе «{membership.group}»",
        tab="groups",
        year=membership.group.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def membership_delete(request: AuthedRequest, membership_id: int):
    membership = _membership(request, membership_id)
    return post_action(
        request,
        lambda: services.group_membership_delete(membership=membership, actor=request.user),
        success_message="Запись о членстве удалена.",
        url=reverse("school:group_detail", args=[membership.group_id]),
    )


# --- teaching load -----------------------------------------------------------------------


@roles_required(STRUCTURE_READERS)
def load_list(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    loads = list(selectors.loads_of_year(year=year))
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for load in loads:
        totals[load.teacher_id] += load.hours_per_week
    for load in loads:
        load.teacher_total = totals[load.teacher_id]  # type: ignore[attr-defined]
    return render_page(request, "school/load_list.html", tab="loads", year=year, loads=loads)


@roles_required(STRUCTURE_EDITORS)
def load_create(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    form = forms.TeachingLoadForm(request.POST or None, year=year)
    url = reverse("school:load_list", args=[year.pk])
    return form_page(
        request,
        form,
        write=lambda data: services.teaching_load_create(
            school=request.ctx.school_or_404(), actor=request.user, **data
        ),
        success_url=url,
        success_message="Нагрузка добавлена.",
        title=f"Тарификация {year}: новая строка",
        tab="loads",
        year=year,
        cancel_url=url,
    )


def _load(request: AuthedRequest, load_id: int) -> TeachingLoad:
    return get_in_school_or_404(
        TeachingLoad.objects.select_related("group__year", "group__school"),
        request,
        "group__school",
        id=load_id,
    )


@roles_required(STRUCTURE_EDITORS)
def load_edit(request: AuthedRequest, load_id: int):
    load = _load(request, load_id)
    form = forms.TeachingLoadForm(
        request.POST or None,
        initial=field_values(load, ["teacher", "group", "subject", "hours_per_week"]),
        year=load.group.year,
    )
    url = reverse("school:load_list", args=[load.group.year_id])
    return form_page(
        request,
        form,
        write=lambda data: services.teaching_load_update(load=load, actor=request.user, **data),
        success_url=url,
        success_message="Нагрузка изменена.",
        title="Строка тарификации",
        tab="loads",
        year=load.group.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def load_delete(request: AuthedRequest, load_id: int):
    load = _load(request, load_id)
    return post_action(
        request,
        lambda: services.teaching_load_delete(load=load, actor=request.user),
        success_message="Строка тарификации удалена.",
        url=reverse("school:load_list", args=[load.group.year_id]),
    )
