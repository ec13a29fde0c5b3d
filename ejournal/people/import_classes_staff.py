"""Contingent import, the other two kinds of file: classes of a year and staff.

Same rules as the students' file (``contingent_import``): every row is checked first,
errors name their line in Russian, one bad row and nothing is saved, and loading the
same file again changes nothing — a class is matched by its name in the year, an
employee by surname, name and patronymic in the school.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ejournal.accounts import services as account_services
from ejournal.accounts.models import Role, StaffMember, User
from ejournal.audit import services as audit
from ejournal.people.contingent_import import ImportResult, read_table
from ejournal.people.staff_services import STAFF_ASSIGNABLE_ROLES
from ejournal.school.models import AcademicYear, SchoolClass

CLASS_COLUMNS = ["класс", "классный руководитель", "кабинет", "смена"]
STAFF_COLUMNS = ["фамилия", "имя", "отчество", "должность", "телефон", "e-mail", "логин", "роли"]
CLASS_NAME = re.compile(r"^(\d{1,2})\s*-?\s*([А-ЯЁA-Z]{1,5})$")
ROLE_LABELS = {Role(r).label: r for r in STAFF_ASSIGNABLE_ROLES}
STAFF_FIELDS = ("position", "phone", "email")


def _full_name(last: str, first: str, patronymic: str) -> str:
    return " ".join(p for p in (last, first, patronymic) if p)


def _name_key(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").lower().split())


# --- classes ------------------------------------------------------------------------


@dataclass
class ClassRow:
    line: int
    grade: int
    letter: str
    homeroom: StaffMember | None
    room: str
    shift: int | None


def _staff_by_name(school) -> dict[str, list[StaffMember]]:
    found: dict[str, list[StaffMember]] = {}
    for staff in StaffMember.objects.filter(school=school, is_active=True):
        key = _name_key(_full_name(staff.last_name, staff.first_name, staff.patronymic))
        found.setdefault(key, []).append(staff)
    return found


def parse_classes(*, school, year: AcademicYear, name: str, content: bytes) -> ImportResult:
    result = ImportResult(
        preview_header=["Строка", "Класс", "Классный руководитель", "Кабинет", "Смена"]
    )
    table = read_table(name, content, CLASS_COLUMNS, CLASS_COLUMNS[:1], result)
    if table is None:
        return result
    staff = _staff_by_name(school)
    seen: set[tuple[int, str]] = set()
    for line, cell in table:
        problems = []
        match = CLASS_NAME.match(cell.get("класс", "").upper())
        grade, letter = (int(match[1]), match[2]) if match else (0, "")
        if not match or not 1 <= grade <= 11:
            problems.append(
                f"класс «{cell.get('класс', '')}» записывается как «5А»: "
                "параллель от 1 до 11 и литера"
            )
        elif (grade, letter) in seen:
            problems.append(f"класс {grade}{letter} уже есть в одной из предыдущих строк")
        seen.add((grade, letter))
        homeroom = None
        if wanted := cell.get("классный руководитель", ""):
            matches = staff.get(_name_key(wanted), [])
            if not matches:
                problems.append(
                    f"классный руководитель «{wanted}» не найден среди работающих сотрудников "
                    "(укажите фамилию, имя и отчество полностью)"
                )
            elif len(matches) > 1:
                problems.append(f"сотрудников с ФИО «{wanted}» несколько")
            else:
                homeroom = matches[0]
        room = cell.get("кабинет", "")
        if len(room) > 20:
            problems.append("кабинет — не длиннее 20 символов")
        shift_text = cell.get("смена", "")
        if shift_text not in ("", "1", "2"):
            problems.append("смена — 1 или 2")
        if problems:
            result.errors.append(f"Строка {line}: " + "; ".join(problems) + ".")
            continue
        shift = int(shift_text) if shift_text else None
        result.rows.append(ClassRow(line, grade, letter, homeroom, room, shift))
        result.preview.append(
            [
                str(line),
                f"{grade}{letter}",
                homeroom.full_name if homeroom else "",
                room,
                shift_text,
            ]
        )
    return result


def apply_classes(*, school, year: AcademicYear, name: str, content: bytes, actor: User):
    """Create the missing classes; fill in what the file says for existing ones."""
    from ejournal.school.services import classes as class_services

    result = parse_classes(school=school, year=year, name=name, content=content)
    if result.errors:
        return result
    # The file is read and checked before the write transaction.
    with transaction.atomic():
        existing = {(c.grade, c.letter): c for c in SchoolClass.objects.filter(year=year)}
        try:
            for row in result.rows:
                school_class = existing.get((row.grade, row.letter))
                if school_class is None:
                    class_services.school_class_create(
                        year=year,
                        grade=row.grade,
                        letter=row.letter,
                        homeroom_teacher=row.homeroom,
                        room=row.room,
                        shift=row.shift or 1,
                        actor=actor,
                    )
                    result.created_classes += 1
                    continue
                homeroom = row.homeroom or school_class.homeroom_teacher
                room = row.room or school_class.room
                shift = row.shift or school_class.shift
                if (homeroom, room, shift) != (
                    school_class.homeroom_teacher,
                    school_class.room,
                    school_class.shift,
                ):
                    class_services.school_class_update(
                        school_class=school_class,
                        grade=school_class.grade,
                        letter=school_class.letter,
                        actor=actor,
                        homeroom_teacher=homeroom,
                        room=room,
                        shift=shift,
                    )
                    result.updated_classes += 1
        except ValidationError as e:
            # A rule of the class service the check could not foresee: report it, save nothing.
            transaction.set_rollback(True)
            result.errors.append(f"Строка {row.line}: " + " ".join(e.messages))
            result.created_classes = result.updated_classes = 0
            return result
        _record(actor, school, name, result, "school.schoolclass")
        return result


# --- staff --------------------------------------------------------------------------


@dataclass
class StaffRow:
    line: int
    last_name: str
    first_name: str
    patronymic: str
    position: str
    phone: str
    email: str
    login: str
    roles: list[str]
    existing: StaffMember | None


def _parse_roles(text: str) -> tuple[list[str], list[str]]:
    roles: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;]", text):
        label = part.strip().lower()
        if not label:
            continue
        if label in ROLE_LABELS:
            roles.append(ROLE_LABELS[label])
        else:
            unknown.append(part.strip())
    return roles, unknown


def parse_staff(*, school, name: str, content: bytes, **_) -> ImportResult:  # noqa: C901 - one check per column of a row, each one line of the report
    result = ImportResult(preview_header=["Строка", "Сотрудник", "Должность", "Логин", "Роли"])
    table = read_table(name, content, STAFF_COLUMNS, STAFF_COLUMNS[:2], result)
    if table is None:
        return result
    staff: dict[str, list[StaffMember]] = {}
    for member in StaffMember.objects.filter(school=school).select_related("user"):
        key = _name_key(_full_name(member.last_name, member.first_name, member.patronymic))
        staff.setdefault(key, []).append(member)
    logins = {
        u.username.lower(): u.pk
        for u in User.objects.filter(username__in=[c["логин"] for _, c in table if c.get("логин")])
    }
    seen_names: set[str] = set()
    seen_logins: set[str] = set()
    for line, cell in table:
        problems = []
        last, first = cell.get("фамилия", ""), cell.get("имя", "")
        patronymic = cell.get("отчество", "")
        if not last or not first:
            problems.append("нет фамилии или имени сотрудника")
        key = _name_key(_full_name(last, first, patronymic))
        if key in seen_names:
            problems.append("сотрудник уже есть в одной из предыдущих строк")
        seen_names.add(key)
        matches = staff.get(key, [])
        if len(matches) > 1:
            problems.append("в школе несколько сотрудников с такими ФИО")
        existing = matches[0] if len(matches) == 1 else None
        email = cell.get("e-mail", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append("e-mail записан неверно")
        for field_name, limit in (("должность", 150), ("телефон", 50)):
            if len(cell.get(field_name, "")) > limit:
                problems.append(f"{field_name} — не длиннее {limit} символов")
        login = cell.get("логин", "")
        if login:
            try:
                UnicodeUsernameValidator()(login)
            except ValidationError:
                problems.append("логин — только буквы, цифры и символы @ . + - _")
            owner = logins.get(login.lower())
            own = existing.user_id if existing else None
            account = existing.user if existing else None
            if account is not None and account.username.lower() != login.lower():
                problems.append(f"у сотрудника уже есть логин «{account.username}»")
            elif owner is not None and owner != own:
                problems.append(f"логин «{login}» уже занят")
            elif login.lower() in seen_logins:
                problems.append(f"логин «{login}» повторяется в файле")
            seen_logins.add(login.lower())
        roles, unknown = _parse_roles(cell.get("роли", ""))
        if unknown:
            problems.append(
                "неизвестные роли: "
                + ", ".join(f"«{u}»" for u in unknown)
                + " (можно: "
                + ", ".join(ROLE_LABELS)
                + ")"
            )
        if roles and not login and not (existing and existing.user_id):
            problems.append("роли выдаются только вместе с логином")
        if problems:
            result.errors.append(f"Строка {line}: " + "; ".join(problems) + ".")
            continue
        result.rows.append(
            StaffRow(
                line,
                last,
                first,
                patronymic,
                cell.get("должность", ""),
                cell.get("телефон", ""),
                email,
                login,
                roles,
                existing,
            )
        )
        result.preview.append(
            [
                str(line),
                _full_name(last, first, patronymic),
                cell.get("должность", ""),
                login,
                ", ".join(Role(r).label for r in roles),
            ]
        )
    return result


def _account(row: StaffRow, staff: StaffMember, *, actor: User, result: ImportResult) -> None:
    """An account without a password: the administrator prints the credentials letter
    from the staff page, which issues the one-time password."""
    user = User.objects.create_user(
        username=row.login,
        last_name=staff.last_name,
        first_name=staff.first_name,
        patronymic=staff.patronymic,
        email=staff.email,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    staff.user = user
    staff.save(update_fields=["user"])
    result.created_accounts += 1
    audit.record(
        action="auth.account_created",
        actor=actor,
        school=staff.school_id,
        obj=user,
        after={"username": user.username, "staff": staff.pk},
    )


def apply_staff(*, school, name: str, content: bytes, actor: User, **_) -> ImportResult:
    result = parse_staff(school=school, name=name, content=content)
    if result.errors:
        return result
    # The file is read and checked before the write transaction.
    with transaction.atomic():
        for row in result.rows:
            staff = row.existing
            values = {"position": row.position, "phone": row.phone, "email": row.email}
            if staff is None:
                staff = StaffMember.objects.create(
                    school=school,
                    last_name=row.last_name,
                    first_name=row.first_name,
                    patronymic=row.patronymic,
                    **values,
                )
                result.created_staff += 1
                audit.record(
                    action="staff_member.created",
                    actor=actor,
                    school=school,
                    obj=staff,
                    after={"last_name": staff.last_name, "first_name": staff.first_name, **values},
                )
            else:
                # Only what the file says; an empty cell keeps what the school already has.
                changed = {f: v for f, v in values.items() if v and getattr(staff, f) != v}
                if changed:
                    before = {f: getattr(staff, f) for f in changed}
                    for f, v in changed.items():
                        setattr(staff, f, v)
                    staff.save(update_fields=list(changed))
                    result.updated_staff += 1
                    audit.record(
                        action="staff_member.updated",
                        actor=actor,
                        school=school,
                        obj=staff,
                        before=before,
                        after=changed,
                    )
            if row.login and staff.user_id is None:
                _account(row, staff, actor=actor, result=result)
            for role in row.roles:
                account_services.role_grant(user=staff.user, role=role, school=school, actor=actor)
        _record(actor, school, name, result, "accounts.staffmember")
        return result


def _record(actor, school, name: str, result: ImportResult, object_type: str) -> None:
    audit.record(
        action="contingent.imported",
        actor=actor,
        school=school,
        object_type=object_type,
        after={
            "file": name[:100],
            "rows": len(result.rows),
            "classes": result.created_classes,
            "classes_updated": result.updated_classes,
            "staff": result.created_staff,
            "staff_updated": result.updated_staff,
            "accounts": result.created_accounts,
        },
    )
