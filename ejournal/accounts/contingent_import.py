"""Contingent import from CSV or XLSX: students, their class, guardians and links.

Every row is checked first; with any bad row nothing is saved and each error names its
line. Importing the same file again changes nothing: people are matched by name and
birth date, enrollments and links are created only when missing.

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

from ejournal.accounts.models import Guardian, Relation, Sex, Student, StudentGuardian, User
from ejournal.audit import services as audit
from ejournal.core.spreadsheet import SpreadsheetRefused, xlsx_rows
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


def parse(*, school, year: AcademicYear, name: str, content: bytes) -> ImportResult:
    result = ImportResult(preview_header=["Строка", "Класс", "Ученик", "Дата рождения", "Родитель"])
    table = read_table(name, content, COLUMNS, COLUMNS[:6], result)
    if table is None:
        return result
    classes = {str(c).lower(): c for c in SchoolClass.objects.filter(school=school, year=year)}
    # Students coded by order (001 §6.3): their families' data is not entered again.
    coded = {
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
        if problems:
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


@transaction.atomic
def apply(
    *, school, year: AcademicYear, name: str, content: bytes, enroll_from: dt.date, actor: User
) -> ImportResult:
    result = parse(school=school, year=year, name=name, content=content)
    if result.errors:
        return result
    if not (year.start <= enroll_from <= year.end):
        result.errors.append(f"Дата зачисления вне учебного года {year}.")
        return result
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
        enrolled = ClassEnrollment.objects.filter(student=student).filter(
            Q(date_to__isnull=True) | Q(date_to__gte=enroll_from)
        )
        if not enrolled.exists():
            ClassEnrollment.objects.create(
                student=student, school_class=row.school_class, date_from=enroll_from
            )
            result.created_enrollments += 1
        if row.guardian:
            guardian = Guardian.objects.filter(
                school=school,
                last_name=row.guardian[0],
                first_name=row.guardian[1],
                patronymic=row.guardian[2],
                student_links__student=student,
            ).first()
            if guardian is None:
                guardian = Guardian.objects.create(
                    school=school,
                    last_name=row.guardian[0],
                    first_name=row.guardian[1],
                    patronymic=row.guardian[2],
                    phone=row.phone,
                    email=row.email,
                )
                result.created_guardians += 1
                StudentGuardian.objects.create(
                    student=student, guardian=guardian, relation=row.relation
                )
                result.created_links += 1
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
        },
    )
    return result
