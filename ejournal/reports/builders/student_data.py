"""9. Общие сведения об обучающихся: name, birth date, age, sex and the guardians of every
student of a class on a date, within what the family's consent allows (001 §6.3):
after a refusal only the name, birth date and sex; a pseudonymised student shows only
their code."""

from __future__ import annotations

from collections import defaultdict

from ejournal.accounts.models import HOMEROOM, ConsentStatus, StudentGuardian, shown_name_ordering
from ejournal.reports import selectors
from ejournal.reports.builders.class_results import classes_in_scope
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import (
    Column,
    Figure,
    Group,
    Report,
    ReportResult,
    Table,
    pseudonym_notes,
)

NO_CONSENT = (ConsentStatus.REFUSED, ConsentStatus.REVOKED)


def build(*, scope, params) -> ReportResult:
    day = params["date"]
    classes = classes_in_scope(scope=scope, params=params)
    rosters = selectors.rosters(classes=classes, start=day, end=day)
    ids = [s.pk for r in rosters for s in r.on(day)]
    links = defaultdict(list)
    for link in (
        StudentGuardian.objects.filter(student_id__in=ids)
        .select_related("guardian__consent")
        .order_by(*shown_name_ordering("guardian"))
    ):
        links[link.student_id].append(link)
    groups = []
    count = {"all": 0, "minimal": 0, "coded": 0}
    everyone = []
    for roster in rosters:
        rows: list[list] = []
        for student in roster.on(day):
            everyone.append(student)
            count["all"] += 1
            if student.pseudonym:
                count["coded"] += 1
                rows.append([student.pseudonym, None, None, "", "кодовое имя по приказу", ""])
                continue
            guardian_links = links.get(student.pk, [])
            minimal = any(
                getattr(getattr(link.guardian, "consent", None), "status", None) in NO_CONSENT
                for link in guardian_links
            )
            if minimal:
                count["minimal"] += 1
                guardians, phones = "согласие на обработку не дано", ""
            else:
                guardians = "; ".join(
                    f"{link.guardian.full_name} ({link.get_relation_display()})"
                    for link in guardian_links
                )
                phones = "; ".join(
                    link.guardian.phone for link in guardian_links if link.guardian.phone
                )
            rows.append(
                [
                    student.full_name,
                    student.birth_date,
                    selectors.age_on(student.birth_date, day),
                    student.get_sex_display(),
                    guardians,
                    phones,
                ]
            )
        groups.append(Group(f"{roster.school_class} класс", rows))
    return ReportResult(
        subtitle=f"на {selectors.fmt(day)}",
        tables=[
            Table(
                columns=[
                    Column("Ученик"),
                    Column("Дата рождения", "date"),
                    Column("Полных лет", "int"),
                    Column("Пол"),
                    Column("Родители (законные представители)"),
                    Column("Телефоны"),
                ],
                groups=groups,
            )
        ],
        headline=[
            Figure("Учащихся", count["all"]),
            Figure("Без согласия на обработку данных", count["minimal"]),
            Figure("С кодовым именем", count["coded"]),
        ],
        notes=[
            "Если родитель не дал или отозвал согласие на обработку персональных данных, "
            "выводятся только ФИО, дата рождения и пол ученика; ученик с кодовым именем "
            "показан только кодом.",
            *pseudonym_notes(everyone),
        ],
    )


REPORT = Report(
    slug="student-data",
    number=9,
    title="Общие сведения об обучающихся",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("date", "grade", "school_class"),
    build=build,
    description="Дата рождения, возраст, пол и родители учащихся — в пределах согласия "
    "на обработку персональных данных.",
    landscape=True,
)
