"""Writes of КТП. Each validates, runs in one transaction and records an audit event.

Who may call them is decided by ``planning.permissions`` in the views; here every object
is checked to belong to the plan's school and year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from ejournal.audit.services import record
from ejournal.planning.io import MAX_HOURS, ItemRow, PlanFileError, read_plan_file
from ejournal.planning.models import TOPIC_REQUIRED_KINDS, PlanItem, PlanItemKind, ThematicPlan
from ejournal.school.models import AcademicYear, StudyGroup, Subject

MAX_ITEMS = 1000


def _plan_dict(plan: ThematicPlan) -> dict:
    return {
        "year": plan.year_id,
        "subject": plan.subject_id,
        "group": plan.group_id,
        "grade": plan.grade,
        "owner": plan.owner_id,
    }


def _item_dict(item: PlanItem) -> dict:
    return {
        "number": item.number,
        "section": item.section,
        "topic": item.topic,
        "hours": item.hours,
        "kind": item.kind,
        "planned_date": item.planned_date,
    }


def _items_summary(plan: ThematicPlan) -> dict:
    items = list(plan.items.order_by("number").values_list("hours", flat=True))
    return {"items": len(items), "hours": sum(items)}


def _touch(plan: ThematicPlan) -> None:
    ThematicPlan.objects.filter(pk=plan.pk).update(updated_at=dt.datetime.now(dt.UTC))


# --- Plans ---------------------------------------------------------------------------


def thematic_plan_create(
    *,
    actor,
    year: AcademicYear,
    subject: Subject,
    group: StudyGroup | None = None,
    grade: int | None = None,
    owner=None,
) -> ThematicPlan:
    """A new empty plan for a group, or for a whole grade (shared by its classes)."""
    if (group is None) == (grade is None):
        raise ValidationError("Укажите либо группу, либо параллель.")
    if subject.school_id != year.school_id:
        raise ValidationError("Предмет не найден.")
    if group is not None and (group.school_id != year.school_id or group.year_id != year.pk):
        raise ValidationError("Группа не найдена в этом учебном году.")
    if grade is not None and not 1 <= grade <= 11:
        raise ValidationError("Параллель — число от 1 до 11.")
    if owner is not None and owner.school_id != year.school_id:
        raise ValidationError("Учитель не найден.")
    exists = ThematicPlan.objects.filter(year=year, subject=subject)
    if group is not None and exists.filter(group=group).exists():
        raise ValidationError(f"КТП по предмету «{subject}» для группы {group} уже есть.")
    if grade is not None and exists.filter(grade=grade).exists():
        raise ValidationError(f"КТП по предмету «{subject}» для {grade} параллели уже есть.")
    with transaction.atomic():
        try:
            plan = ThematicPlan.objects.create(
                school_id=year.school_id,
                year=year,
                subject=subject,
                group=group,
                grade=grade,
                owner=owner,
            )
        except IntegrityError as exc:  # a concurrent create of the same plan
            raise ValidationError("Такой КТП уже есть.") from exc
        record(
            action="thematic_plan.created",
            actor=actor,
            school=year.school_id,
            obj=plan,
            after=_plan_dict(plan),
        )
    return plan


def thematic_plan_delete(*, actor, plan: ThematicPlan) -> None:
    with transaction.atomic():
        before = {**_plan_dict(plan), **_items_summary(plan)}
        pk = plan.pk
        plan.delete()
        record(
            action="thematic_plan.deleted",
            actor=actor,
            school=plan.school_id,
            object_type="planning.thematicplan",
            object_id=pk,
            before=before,
        )


def thematic_plan_set_owner(*, actor, plan: ThematicPlan, owner) -> ThematicPlan:
    if owner is not None and owner.school_id != plan.school_id:
        raise ValidationError("Учитель не найден.")
    if plan.owner_id == (owner.pk if owner else None):
        return plan
    with transaction.atomic():
        before = {"owner": plan.owner_id}
        plan.owner = owner
        plan.save(update_fields=["owner", "updated_at"])
        record(
            action="thematic_plan.owner_changed",
            actor=actor,
            school=plan.school_id,
            obj=plan,
            before=before,
            after={"owner": plan.owner_id},
        )
    return plan


# --- Items ---------------------------------------------------------------------------


def _clean_item(
    *,
    plan: ThematicPlan,
    section: str,
    topic: str,
    hours: int,
    kind: str,
    planned_date: dt.date | None,
) -> dict:
    section = (section or "").strip()
    topic = (topic or "").strip()
    errors = []
    if len(section) > 300:
        errors.append("Раздел — не длиннее 300 символов.")
    if len(topic) > 500:
        errors.append("Тема — не длиннее 500 символов.")
    if not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        errors.append(f"Часы — целое число от 1 до {MAX_HOURS}.")
    if kind not in PlanItemKind.values:
        errors.append("Неизвестный вид урока.")
    elif kind in TOPIC_REQUIRED_KINDS and not topic:
        errors.append(f"Тема обязательна для вида «{PlanItemKind(kind).label}».")
    if planned_date is not None and not plan.year.contains(planned_date):
        errors.append(
            f"Дата {planned_date:%d.%m.%Y} вне учебного года {plan.year} "
            f"({plan.year.start:%d.%m.%Y} – {plan.year.end:%d.%m.%Y})."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "section": section,
        "topic": topic,
        "hours": hours,
        "kind": kind,
        "planned_date": planned_date,
    }


def _lock(plan: ThematicPlan) -> None:
    """Serialise writers of one plan: numbering depends on the other rows."""
    # No ordering: the default one joins the nullable group, which PostgreSQL cannot lock.
    ThematicPlan.objects.select_for_update().filter(pk=plan.pk).order_by().first()


def _renumber(plan: ThematicPlan, ordered_ids: list[int]) -> None:
    """Give items the numbers 1..n in ``ordered_ids`` order. Two passes, so the unique
    (plan, number) constraint never sees two rows with the same number mid-way."""
    PlanItem.objects.filter(plan=plan).update(number=F("number") + 100000)
    items = []
    for number, item_id in enumerate(ordered_ids, start=1):
        items.append(PlanItem(pk=item_id, number=number))
    PlanItem.objects.bulk_update(items, ["number"])


def plan_item_add(
    *,
    actor,
    plan: ThematicPlan,
    section: str,
    topic: str,
    hours: int,
    kind: str = PlanItemKind.LESSON,
    planned_date: dt.date | None = None,
    position: int | None = None,
) -> PlanItem:
    """Add an item at ``position`` (1-based; at the end when None or beyond)."""
    data = _clean_item(
        plan=plan, section=section, topic=topic, hours=hours, kind=kind, planned_date=planned_date
    )
    with transaction.atomic():
        _lock(plan)
        ids = list(plan.items.order_by("number").values_list("pk", flat=True))
        if len(ids) >= MAX_ITEMS:
            raise ValidationError(f"В плане уже {MAX_ITEMS} тем — больше добавить нельзя.")
        item = PlanItem.objects.create(plan=plan, number=len(ids) + 100001, **data)
        if position is None or position > len(ids):
            position = len(ids) + 1
        position = max(position, 1)
        ids.insert(position - 1, item.pk)
        _renumber(plan, ids)
        item.number = position
        _touch(plan)
        record(
            action="plan_item.created",
            actor=actor,
            school=plan.school_id,
            obj=item,
            after={"plan": plan.pk, **_item_dict(item)},
        )
    return item


def plan_item_update(
    *,
    actor,
    item: PlanItem,
    section: str,
    topic: str,
    hours: int,
    kind: str,
    planned_date: dt.date | None,
) -> PlanItem:
    data = _clean_item(
        plan=item.plan,
        section=section,
        topic=topic,
        hours=hours,
        kind=kind,
        planned_date=planned_date,
    )
    with transaction.atomic():
        _lock(item.plan)
        before = _item_dict(item)
        for name, value in data.items():
            setattr(item, name, value)
        after = _item_dict(item)
        if before == after:
            return item
        item.save(update_fields=list(data))
        _touch(item.plan)
        record(
            action="plan_item.updated",
            actor=actor,
            school=item.plan.school_id,
            obj=item,
            before=before,
            after=after,
        )
    return item


def plan_item_delete(*, actor, item: PlanItem) -> None:
    plan = item.plan
    with transaction.atomic():
        _lock(plan)
        before = {"plan": plan.pk, **_item_dict(item)}
        pk = item.pk
        item.delete()
        _renumber(plan, list(plan.items.order_by("number").values_list("pk", flat=True)))
        _touch(plan)
        record(
            action="plan_item.deleted",
            actor=actor,
            school=plan.school_id,
            object_type="planning.planitem",
            object_id=pk,
            before=before,
        )


def plan_item_move(*, actor, item: PlanItem, position: int) -> PlanItem:
    """Move an item to ``position`` (1-based, clamped to the plan's length)."""
    plan = item.plan
    with transaction.atomic():
        _lock(plan)
        ids = list(plan.items.order_by("number").values_list("pk", flat=True))
        if item.pk not in ids:
            raise ValidationError("Тема не найдена.")
        position = min(max(int(position), 1), len(ids))
        before = ids.index(item.pk) + 1
        if before == position:
            return item
        ids.remove(item.pk)
        ids.insert(position - 1, item.pk)
        _renumber(plan, ids)
        item.number = position
        _touch(plan)
        record(
            action="plan_item.moved",
            actor=actor,
            school=plan.school_id,
            obj=item,
            before={"number": before},
            after={"number": position},
        )
    return item


# --- Replacing all items: import and copy ------------------------------------------


def _replace_items(*, actor, plan: ThematicPlan, rows: list[ItemRow], action: str, extra: dict):
    if len(rows) > MAX_ITEMS:
        raise ValidationError(f"Не больше {MAX_ITEMS} тем в одном плане.")
    with transaction.atomic():
        _lock(plan)
        before = _items_summary(plan)
        plan.items.all().delete()
        PlanItem.objects.bulk_create(
            PlanItem(
                plan=plan,
                number=number,
                section=row.section,
                topic=row.topic,
                hours=row.hours,
                kind=row.kind,
                planned_date=row.planned_date,
            )
            for number, row in enumerate(rows, start=1)
        )
        _touch(plan)
        after = {"items": len(rows), "hours": sum(r.hours for r in rows), **extra}
        record(
            action=action, actor=actor, school=plan.school_id, obj=plan, before=before, after=after
        )


def thematic_plan_import(*, actor, plan: ThematicPlan, name: str, content: bytes) -> int:
    """Replace the plan's items with those of a CSV/XLSX file, or change nothing and raise
    a ValidationError listing every bad row. Returns the number of items loaded."""
    try:
        rows = read_plan_file(
            name=name, content=content, year_start=plan.year.start, year_end=plan.year.end
        )
    except PlanFileError as exc:
        raise ValidationError(exc.errors) from exc
    _replace_items(
        actor=actor,
        plan=plan,
        rows=rows,
        action="thematic_plan.imported",
        extra={"file": name[:200]},
    )
    return len(rows)


def thematic_plan_copy(*, actor, plan: ThematicPlan, source: ThematicPlan) -> int:
    """Replace the plan's items with a copy of another plan's of the same school and
    subject. Planned dates are kept within the same year and dropped from an earlier
    year's plan (its calendar does not apply). Returns the number of items copied."""
    if source.pk == plan.pk:
        raise ValidationError("Нельзя скопировать план сам в себя.")
    if source.school_id != plan.school_id:
        raise ValidationError("План для копирования не найден.")
    same_year = source.year_id == plan.year_id
    rows = []
    for item in source.items.order_by("number"):
        planned = item.planned_date if same_year else None
        rows.append(ItemRow(item.number, item.section, item.topic, item.hours, item.kind, planned))
    if not rows:
        raise ValidationError("В выбранном плане нет тем.")
    _replace_items(
        actor=actor,
        plan=plan,
        rows=rows,
        action="thematic_plan.copied",
        extra={"source": source.pk, "source_year": source.year_id},
    )
    return len(rows)


def item_rows(plan: ThematicPlan) -> list[dict]:
    """The plan's items as plain dicts (for tests and audit summaries)."""
    return [
        asdict(ItemRow(i.number, i.section, i.topic, i.hours, i.kind, i.planned_date))
        for i in plan.items.order_by("number")
    ]
