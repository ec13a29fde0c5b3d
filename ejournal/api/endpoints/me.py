"""Who am I; schools, their years and study periods."""

from __future__ import annotations

from django.db.models import Prefetch
from ninja import Router

from ejournal.api.auth import ApiRequest
from ejournal.api.errors import error_responses, not_found
from ejournal.api.schemas import BandOut, MeOut, SchoolOut, YearOut
from ejournal.diary import selectors as diary_selectors
from ejournal.school import selectors as school_selectors
from ejournal.school.models import AcademicYear, ClassEnrollment, GradeBand, StudyPeriod

router = Router(tags=["Профиль и школы"])


@router.get("/me", response={200: MeOut, **error_responses()}, summary="Текущий пользователь")
def me(request: ApiRequest):
    """Roles in every school, the current school, and whose diaries the user reads."""
    ctx = request.ctx
    user = request.user
    students = diary_selectors.family_students(user)
    classes = {}
    if students:
        days = {s.pk: school_selectors.school_today(s.school) for s in students}
        for enrollment in ClassEnrollment.objects.filter(
            student_id__in=list(days), date_from__lte=max(days.values())
        ).select_related("school_class"):
            day = days[enrollment.student_id]
            if enrollment.date_from <= day and (
                enrollment.date_to is None or enrollment.date_to >= day
            ):
                classes[enrollment.student_id] = str(enrollment.school_class)
    token = getattr(request, "api_token", None)
    current = ctx.current if not ctx.needs_choice else None
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "current_school_id": current.school.pk if current and current.school else None,
        "roles": sorted(ctx.roles),
        "memberships": [
            {
                "school_id": m.school.pk if m.school else None,
                "municipality_id": m.municipality.pk if m.municipality else None,
                "title": m.title,
                "roles": sorted(m.roles),
            }
            for m in ctx.memberships
        ],
        "students": [
            {
                "id": s.pk,
                "name": s.full_name,
                "school_id": s.school_id,
                "school": s.school.short_name,
                "class_name": classes.get(s.pk),
                "is_self": s.user_id == user.pk,
            }
            for s in students
        ],
        "token": (
            {"prefix": token.prefix, "scope": token.scope, "expires_at": token.expires_at}
            if token
            else None
        ),
    }


def _my_schools(request: ApiRequest):
    return [m.school for m in request.ctx.memberships if m.school is not None]


def _my_school(request: ApiRequest, school_id: int):
    school = next((s for s in _my_schools(request) if s.pk == school_id), None)
    if school is None:
        raise not_found()
    return school


@router.get("/schools", response={200: list[SchoolOut], **error_responses()}, summary="Мои школы")
def schools(request: ApiRequest):
    return [
        {
            "id": s.pk,
            "name": s.name,
            "short_name": s.short_name,
            "address": s.address,
            "phone": s.phone,
            "email": s.email,
            "website": s.website,
            "time_zone": s.time_zone,
        }
        for s in _my_schools(request)
    ]


@router.get(
    "/schools/{school_id}/years",
    response={200: list[YearOut], **error_responses()},
    summary="Учебные годы школы",
)
def years(request: ApiRequest, school_id: int):
    school = _my_school(request, school_id)
    return [
        {"id": y.pk, "name": y.name, "start": y.start, "end": y.end}
        for y in school_selectors.years_of_school(school=school)
    ]


@router.get(
    "/years/{year_id}/periods",
    response={200: list[BandOut], **error_responses()},
    summary="Ступени и учебные периоды года",
)
def periods(request: ApiRequest, year_id: int):
    school_ids = [s.pk for s in _my_schools(request)]
    year = AcademicYear.objects.filter(pk=year_id, school_id__in=school_ids).first()
    if year is None:
        raise not_found()
    bands = GradeBand.objects.filter(year=year).prefetch_related(
        Prefetch("periods", queryset=StudyPeriod.objects.order_by("start"))
    )
    return [
        {
            "id": b.pk,
            "name": b.name,
            "grade_from": b.grade_from,
            "grade_to": b.grade_to,
            "days_per_week": b.days_per_week,
            "periods": [
                {
                    "id": p.pk,
                    "number": p.number,
                    "name": p.name,
                    "kind": b.period_kind,
                    "start": p.start,
                    "end": p.end,
                }
                for p in b.periods.all()
            ],
        }
        for b in bands
    ]
