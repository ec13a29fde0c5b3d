"""Contingent import from CSV or XLSX: students, their class, guardians and links.

Every row is checked first; with any bad row nothing is saved and each error names its
line. Importing the same file again changes nothing: people are matched by name and
birth date, enrollments and links are created only when missing. Each new enrollment
rests on an order of enrollment (from the file's columns or the form), like one entered
by hand, so the movement report counts it.

Classes and staff come in files of their own (``import_classes_staff``); ``KINDS`` lists
the three kinds of file with their columns, checker and loader.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from ejournal.accounts.models import (
    Guardian,
    MovementKind,
    Order,
    OrderKind,
    Relation,
    Sex,
    Student,
    StudentGuardian,
    StudentMovement,
    User,
)
from ejournal.audit import services as audit
from ejournal.core.spreadsheet import SpreadsheetRefused, xlsx_rows
from ejournal.people import movement
from ejournal.school.models import AcademicYear, ClassEnrollment, SchoolClass

COLUMNS = [
    "класс",
    "фамилия",
    "имя",
    "отчество",
    "дата рождения",
    "пол",
    "родитель фамилия",
    "родитель имя",
    "родитель отчество",
    "кем приходится",
    "телефон",
    "e-mail",
    # Optional: each row's order of enrollment (else the one given in the form) and
    # where the student came from.
    "номер приказа",
    "дата приказа",
    "прибыл из",
]
SEX = {
    "м": Sex.MALE,
    "муж": Sex.MALE,
    "мужской": Sex.MALE,
    "ж": Sex.FEMALE,
    "жен": Sex.FEMALE,
    "женский": Sex.FEMALE,
}
RELATIONS = {label: value for value, label in Relation.choices}
MAX_ROWS = 5000


@dataclass
class Row:
    line: int
    school_class: SchoolClass
    last_name: str
    first_name: str
    patronymic: str
    birth_date: dt.date
    sex: str
    guardian: tuple[str, str, str] | None
    relation: str
    phone: str
    email: str
    order_number: str = ""
    order_date: dt.date | None = None
    from_place: str = ""


@dataclass
class ImportResult:
    rows: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # What the check shows before anything is saved: a header and one list per row.
    preview_header: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    created_students: int = 0
    created_guardians: int = 0
    created_enrollments: int = 0
    created_links: int = 0
    created_classes: int = 0
    updated_classes: int = 0
    created_staff: int = 0
    updated_staff: int = 0
    created_accounts: int = 0

    @property
    def summary(self) -> str:
        parts = [
            ("учеников", self.created_students),
            ("родителей", self.created_guardians),
            ("зачислений", self.created_enrollments),
            ("новых классов", self.created_classes),
            ("изменённых классов", self.updated_classes),
            ("новых сотрудников", self.created_staff),
            ("изменённых сотрудников", self.updated_staff),
            ("учётных записей", self.created_accounts),
        ]
        done = [f"{label} {n}" for label, n in parts if n]
        return "Загружено: " + (", ".join(done) if done else "новых записей нет") + "."


def read_table(
    name: str, content: bytes, columns: list[str], required: list[str], result: ImportResult
) -> list[tuple[int, dict[str, str]]] | None:
    """The file's rows as (line number, column -> stripped text), blank rows skipped.
    None (with the error in ``result``) when the file is empty or lacks a column."""
    table = _read(name, content)
    if not table:
        result.errors.append("Файл пуст.")
        return None
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in required if c not in header]
    if missing:
        result.errors.append("Строка 1: нет столбцов: " + ", ".join(missing) + ".")
        return None
    if len(table) - 1 > MAX_ROWS:
        result.errors.append(f"Слишком много строк: не больше {MAX_ROWS} за раз.")
        return None
    rows = []
    for line, values in enumerate(table[1:], start=2):
        cell = {
            h: (values[i].strip() if i < len(values) and values[i] else "")
            for i, h in enumerate(header)
            if h in columns
        }
        if any(cell.values()):
            rows.append((line, cell))
    return rows


def _read(name: str, content: bytes) -> list[list[str]]:
    if name.lower().endswith(".xlsx"):
        try:
            table = xlsx_rows(content, max_rows=MAX_ROWS + 1)
        except SpreadsheetRefused as refused:
            raise ValidationError(str(refused)) from None
        rows = []
        for values in table:
            rows.append(
                [
                    v.strftime("%d.%m.%Y")
                    if isinstance(v, dt.date | dt.datetime)
                    else ("" if v is None else str(v))
                    for v in values
                ]
            )
        return rows
    if name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1251")
            except UnicodeDecodeError:
                raise ValidationError("Кодировка файла не распознана: сохраните в UTF-8.") from None
        try:
            dialect = csv.Sniffer().sniff(text[:2000], delimiters=";,\t")
        except csv.Error:
            # One column (or nothing to tell by): the Russian Excel separator.
            return list(csv.reader(io.StringIO(text), delimiter=";"))
        return list(csv.reader(io.StringIO(text), dialect))
    raise ValidationError("Загрузите файл CSV или XLSX.")


def _date(text: str) -> dt.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse(*, school, year: AcademicYear, name: str, content: bytes) -> ImportResult:  # noqa: C901 - one check per column of a row, each one line of the report
    result = ImportResult(preview_header=["Строка", "Класс", "Ученик", "Дата рождения", "Родитель"])
    table = read_table(name, content, COLUMNS, COLUMNS[:6], result)
    if table is None:
        return result
    classes = {str(c).lower(): c for c in SchoolClass.objects.filter(school=school, year=year)}
    # Students coded by order (001 §6.3): their families' data is not entered again.
    coded: dict[tuple[object, ...], Student] = {
        (s.last_name, s.first_name, s.patronymic, s.birth_date): s
        for s in Student.objects.filter(school=school).exclude(pseudonym="")
    }
    coded_guardians = set(
        Guardian.objects.filter(
            student_links__student__in=[s.pk for s in coded.values()]
        ).values_list("student_links__student", "last_name", "first_name", "patronymic")
    )
    seen: set[tuple] = set()
    for line, cell in table:
        problems = []
        school_class = classes.get(cell.get("класс", "").replace(" ", "").lower())
        if school_class is None:
            problems.append(f"класс «{cell.get('класс', '')}» не найден в учебном году {year}")
        if not cell.get("фамилия") or not cell.get("имя"):
            problems.append("нет фамилии или имени ученика")
        birth = _date(cell.get("дата рождения", ""))
        if birth is None:
            problems.append("дата рождения не в формате ДД.ММ.ГГГГ")
        elif school_class is not None:
            try:
                movement.check_birth_date(birth_date=birth, school_class=school_class)
            except ValidationError as e:
                problems.append(_sentence(e))
        order_date = _date(cell.get("дата приказа", ""))
        if cell.get("дата приказа") and order_date is None:
            problems.append("дата приказа не в формате ДД.ММ.ГГГГ")
        sex = SEX.get(cell.get("пол", "").lower())
        if sex is None:
            problems.append("пол — «м» или «ж»")
        g_name = (
            cell.get("родитель фамилия", ""),
            cell.get("родитель имя", ""),
            cell.get("родитель отчество", ""),
        )
        relation = ""
        if any(g_name):
            if not g_name[0] or not g_name[1]:
                problems.append("нет фамилии или имени родителя")
            relation = RELATIONS.get(cell.get("кем приходится", "").lower(), "")
            if not relation:
                problems.append(
                    "«кем приходится»: мать, отец, опекун или иной законный представитель"
                )
        if cell.get("e-mail"):
            try:
                validate_email(cell["e-mail"])
            except ValidationError:
                problems.append("e-mail записан неверно")
        student_key = (cell.get("фамилия"), cell.get("имя"), cell.get("отчество", ""), birth)
        known = coded.get(student_key)
        if known and any(g_name) and (known.pk, *g_name) not in coded_guardians:
            problems.append(
                f"ученику присвоено кодовое имя «{known.pseudonym}»: данные родителей не вносятся"
            )
        key = (cell.get("фамилия"), cell.get("имя"), cell.get("отчество"), birth, g_name)
        if key in seen:
            problems.append("строка повторяет одну из предыдущих")
        seen.add(key)
        # Each of the None checks has put its problem on the list above.
        if problems or school_class is None or birth is None or sex is None:
            result.errors.append(f"Строка {line}: " + "; ".join(problems) + ".")
            continue
        result.rows.append(
            Row(
                line,
                school_class,
                cell["фамилия"],
                cell["имя"],
                cell.get("отчество", ""),
                birth,
                sex,
                g_name if any(g_name) else None,
                relation,
                cell.get("телефон", ""),
                cell.get("e-mail", ""),
                cell.get("номер приказа", ""),
                order_date,
                cell.get("прибыл из", "")[:300],
            )
        )
        result.preview.append(
            [
                str(line),
                str(school_class),
                " ".join(p for p in (cell["фамилия"], cell["имя"], cell.get("отчество")) if p),
                f"{birth:%d.%m.%Y}",
                " ".join(p for p in g_name if p),
            ]
        )
    return result


def _sentence(error: ValidationError) -> str:
    """A service's message as a part of a line's list of problems."""
    text = " ".join(error.messages).rstrip(".")
    return text[:1].lower() + text[1:]


def apply(
    *,
    school,
    year: AcademicYear,
    name: str,
    content: bytes,
    enroll_from: dt.date,
    actor: User,
    order_number: str = "",
    order_date: dt.date | None = None,
) -> ImportResult:
    """Load a checked file. Any problem found while loading (a student already in another
    class, an order missing or dated after the enrollment) undoes the whole load."""
    result = parse(school=school, year=year, name=name, content=content)
    if result.errors:
        return result
    if not (year.start <= enroll_from <= year.end):
        result.errors.append(f"Дата зачисления вне учебного года {year}.")
        return result
    # The file is read and checked (openpyxl for an XLSX) before the write transaction.
    with transaction.atomic():
        return _load(
            result,
            school=school,
            name=name,
            enroll_from=enroll_from,
            actor=actor,
            order_number=order_number,
            order_date=order_date,
        )


def _load(
    result: ImportResult,
    *,
    school,
    name: str,
    enroll_from: dt.date,
    actor: User,
    order_number: str,
    order_date: dt.date | None,
) -> ImportResult:
    orders: dict[tuple[str, dt.date], Order] = {}
    for row in result.rows:
        student, created = Student.objects.get_or_create(
            school=school,
            last_name=row.last_name,
            first_name=row.first_name,
            patronymic=row.patronymic,
            birth_date=row.birth_date,
            defaults={"sex": row.sex},
        )
        result.created_students += created
        problem = _enroll(student, row, enroll_from, order_number, order_date, orders, actor)
        if problem == "":
            result.created_enrollments += 1
        elif problem:
            result.errors.append(f"Строка {row.line}: {problem}.")
        if row.guardian:
            result.created_guardians += _link_guardian(school, student, row)
    result.created_links = result.created_guardians
    if result.errors:
        # Nothing of a file with a bad line is kept.
        transaction.set_rollback(True)
        return result
    audit.record(
        action="contingent.imported",
        actor=actor,
        school=school,
        object_type="accounts.student",
        after={
            "file": name[:100],
            "rows": len(result.rows),
            "students": result.created_students,
            "guardians": result.created_guardians,
            "enrollments": result.created_enrollments,
            "orders": [str(o) for o in orders.values()],
        },
    )
    return result


def _enroll(
    student: Student,
    row: Row,
    enroll_from: dt.date,
    order_number: str,
    order_date: dt.date | None,
    orders: dict[tuple[str, dt.date], Order],
    actor: User,
) -> str | None:
    """Enroll the student of a row on an order: "" when enrolled, None when already in
    this class (a repeated file), else what is wrong."""
    current = (
        ClassEnrollment.objects.filter(student=student)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=enroll_from))
        .select_related("school_class")
        .first()
    )
    if current is not None:
        if current.school_class_id == row.school_class.pk:
            return None
        return (
            f"ученик уже учится в классе {current.school_class} "
            f"с {current.date_from:%d.%m.%Y}: перевод оформляется на карточке ученика"
        )
    number = (row.order_number or order_number).strip()
    day = row.order_date or order_date
    if not number or day is None:
        return (
            "нет номера и даты приказа о зачислении: укажите их в форме или в столбцах "
            "«номер приказа» и «дата приказа»"
        )
    try:
        movement.check_order_date(order_date=day, effective_date=enroll_from)
    except ValidationError as e:
        return _sentence(e)
    order = orders.get((number, day))
    if order is None:
        order = orders[(number, day)] = Order.objects.create(
            school=student.school, number=number, date=day, kind=OrderKind.ENROLLMENT
        )
    ClassEnrollment.objects.create(
        student=student, school_class=row.school_class, date_from=enroll_from
    )
    StudentMovement.objects.create(
        student=student,
        kind=MovementKind.ENROLLMENT,
        order=order,
        effective_date=enroll_from,
        to_class=row.school_class,
        from_place=row.from_place,
        created_by=actor,
    )
    return ""


def _link_guardian(school, student: Student, row: Row) -> int:
    """Create the row's guardian and link them to the student unless already there."""
    assert row.guardian is not None
    exists = Guardian.objects.filter(
        school=school,
        last_name=row.guardian[0],
        first_name=row.guardian[1],
        patronymic=row.guardian[2],
        student_links__student=student,
    ).exists()
    if exists:
        return 0
    guardian = Guardian.objects.create(
        school=school,
        last_name=row.guardian[0],
        first_name=row.guardian[1],
        patronymic=row.guardian[2],
        phone=row.phone,
        email=row.email,
    )
    StudentGuardian.objects.create(student=student, guardian=guardian, relation=row.relation)
    return 1
