"""``/webapi/…``: the subset of NetSchool's WebAPI its public clients use, read-only.

One entry view routes case-insensitively (clients differ in letter case) and turns errors
into JSON with the status the clients expect: 401 only for a missing or dead session (the
client then logs in again), 403 for anything not the caller's, 409 for bad credentials.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from ejournal.core.dates import query_date
from ejournal.core.request_context import client_ip
from ejournal.diary import selectors as diary
from ejournal.diary import services as diary_services
from ejournal.diary.models import DiaryPage
from ejournal.school.http import SchoolRequest
from ejournal.school.models import School
from ejournal.school.selectors import year_on
from ejournal.webapi import adapter, ratelimit, selectors, services
from ejournal.webapi.selectors import SESSION_COOKIE, Caller

VERSION = "5.43.0.0"


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _forbidden() -> ApiError:
    # Missing and forbidden look the same; 403, never 401, which would make clients re-login.
    return ApiError(403, "Нет доступа.")


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _student(caller: Caller, request):
    student = caller.student(request.GET.get("studentId"))
    if student is None:
        raise _forbidden()
    return student


def _day(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    day = query_date(value[:10], iso_only=True)
    if day is None:
        raise ApiError(400, "Неверная дата: ожидается ГГГГ-ММ-ДД между 1900 и 2999 годом.")
    return day


def _range(request: SchoolRequest, caller: Caller) -> tuple[dt.date, dt.date]:
    monday = diary.week_start(caller.today)
    start = _day(request.GET.get("weekStart"), monday)
    end = _day(request.GET.get("weekEnd"), start + dt.timedelta(days=6))
    if end < start:
        raise ApiError(400, "Конец периода раньше его начала.")
    return start, end


# --- Without login ---------------------------------------------------------------------


def logindata(request: SchoolRequest, caller):
    return _json(
        {
            "productName": "ejournal",
            "version": VERSION,
            "schoolLogin": True,
            "emLogin": False,
            "esiaLogin": False,
            "esiaMainAuth": False,
            "esiaButton": False,
            "windowsAuth": False,
        }
    )


def getdata(request: SchoolRequest, caller):
    wait = ratelimit.challenge_attempt(ip=client_ip(request))
    if wait:
        raise ApiError(
            429, "Слишком много попыток входа. Попробуйте позже.", {"Retry-After": str(wait)}
        )
    challenge = services.challenge_issue(cookie=request.COOKIES.get(SESSION_COOKIE))
    response = _json({"lt": challenge.lt, "ver": challenge.ver, "salt": challenge.salt})
    return _with_cookie(response, challenge.cookie)


def _with_cookie(response, cookie: str | None):
    if cookie:
        response.set_cookie(
            SESSION_COOKIE,
            cookie,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def schools_search(request: SchoolRequest, caller):
    text = (request.GET.get("name") or "").strip().casefold()
    schools = School.objects.order_by("short_name")
    return _json(
        [
            {
                "id": s.pk,
                "name": s.name,
                "shortName": s.short_name,
                "addressString": s.address,
            }
            for s in schools
            if text in s.short_name.casefold() or text in s.name.casefold()
        ]
    )


def login(request: SchoolRequest, caller):
    data = request.POST
    username = data.get("un", "").strip()
    wait = ratelimit.login_attempt(ip=client_ip(request), login=username)
    if wait:
        raise ApiError(
            429, "Слишком много попыток входа. Попробуйте позже.", {"Retry-After": str(wait)}
        )
    try:
        result = services.session_login(
            cookie=request.COOKIES.get(SESSION_COOKIE),
            lt=data.get("lt", ""),
            school_id=data.get("scid", "").strip(),
            username=username,
            pw=data.get("pw", ""),
            pw2=data.get("pw2", ""),
        )
    except services.LoginFailed as failed:
        raise ApiError(409, failed.message) from failed
    user = result.user
    response = _json(
        {
            "at": result.token,
            "timeOut": int(services.idle_timeout().total_seconds() * 1000),
            "accessToken": result.token,
            "refreshToken": "",
            "accountInfo": {
                "id": user.pk,
                "user": {"id": user.pk, "name": user.get_full_name() or user.username},
                "activeToken": None,
                "secureActiveToken": False,
                "currentOrganization": {"id": result.session.school_id},
            },
            "tokenType": "Bearer",
            "entryPoint": "/angular/school/studentdiary/",
            "requestData": {},
            "errorMessage": None,
        }
    )
    return _with_cookie(response, result.cookie)


def logout(request: SchoolRequest, caller):
    session = selectors.live_session(
        token=_token(request), cookie=request.COOKIES.get(SESSION_COOKIE)
    )
    if session is not None:
        services.session_logout(session)
    return _json({})


def context_expired(request: SchoolRequest, caller):
    return _json(selectors.token_expired(request.GET.get("token", "")))


def sys_info(request: SchoolRequest, caller):
    body = f"Id: ejournal\nВерсия системы: {VERSION}\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


# --- Signed in -------------------------------------------------------------------------


def diary_init(request: SchoolRequest, caller: Caller):
    return _json(
        {
            "students": [
                {
                    "studentId": s.pk,
                    "nickName": s.short_name,
                    "className": None,
                    "classId": 0,
                    "iupGrade": 0,
                }
                for s in caller.students
            ],
            "currentStudentId": 0,
            "weekStart": adapter.date(diary.week_start(caller.today)),
            "yaClass": False,
            "yaClassAuthUrl": None,
            "newDiskToken": None,
            "newDiskWasRequest": False,
            "ttsuRl": None,
            "externalUrl": None,
            "weight": True,
            "maxMark": 5,
            "withLaAssigns": False,
        }
    )


def _year(caller: Caller):
    year = year_on(school=caller.school, day=caller.today)
    if year is None:
        raise ApiError(404, "В школе нет учебного года.")
    return year


def _year_json(year) -> dict:
    return {
        "id": year.pk,
        "name": year.name,
        "startDate": adapter.date(year.start),
        "endDate": adapter.date(year.end),
        "schoolId": year.school_id,
        "globalYear": {"id": year.pk},
        "globalYearId": year.pk,
        "isExpired": False,
    }


def years_current(request: SchoolRequest, caller: Caller):
    return _json(_year_json(_year(caller)))


def assignment_types(request: SchoolRequest, caller: Caller):
    return _json(adapter.assignment_types(caller.school))


def student_diary(request: SchoolRequest, caller: Caller):
    student = _student(caller, request)
    start, end = _range(request, caller)
    diary_services.visit_record(user=caller.user, student=student, page=DiaryPage.WEEK)
    return _json(adapter.diary_week(student, start, end, caller.today))


def past_mandatory(request: SchoolRequest, caller: Caller):
    student = _student(caller, request)
    diary_services.visit_record(user=caller.user, student=student, page=DiaryPage.SUMMARY)
    return _json(adapter.past_mandatory(student, caller.today))


def announcements(request: SchoolRequest, caller: Caller):
    items = selectors.announcements(caller)
    take = request.GET.get("take", "-1")
    if take.lstrip("-").isdigit() and int(take) >= 0:
        items = items[: int(take)]
    authors = selectors.authors(items)
    return _json([adapter.announcement(a, authors, caller.school) for a in items])


def get_attachments(request: SchoolRequest, caller: Caller):
    student = _student(caller, request)
    try:
        payload = json.loads(request.body or b"{}")
        wanted = [int(i) for i in payload.get("assignId", [])][:100]
    except (ValueError, TypeError, AttributeError) as exc:
        raise ApiError(400, 'Ожидается JSON {"assignId": [номера заданий]}.') from exc
    homework_ids = [pk for kind, pk in map(adapter.split, wanted) if kind == "odd"]
    files = selectors.homework_attachments(caller, student, homework_ids)
    result = []
    for public_id in wanted:
        kind, pk = adapter.split(public_id)
        if kind == "odd" and pk not in files:
            continue
        attachments = files.get(pk, []) if kind == "odd" else []
        result.append(
            {
                "assignmentId": public_id,
                "attachments": [
                    adapter.attachment(adapter.even(a.pk), a.original_name) for a in attachments
                ],
                "answerFiles": [],
            }
        )
    return _json(result)


def attachment_file(request: SchoolRequest, caller: Caller, public_id: str):
    kind, pk = adapter.split(int(public_id))
    if kind == "even":
        found, student = selectors.homework_file(caller, pk)
        if found is None:
            raise _forbidden()
        diary_services.visit_record(user=caller.user, student=student, page=DiaryPage.ATTACHMENT)
    else:
        found = selectors.announcement_file(caller, pk)
        if found is None:
            raise _forbidden()
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type or "application/octet-stream",
    )


def school_card(request: SchoolRequest, caller: Caller, school_id: str):
    if int(school_id) not in (-1, caller.school.pk):
        raise _forbidden()
    return _json(adapter.school_card(caller.school, selectors.deputies(caller.school)))


# A grey 1×1 PNG: clients show a placeholder where NetSchool has a photo.
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4DwAA3gDdo3ZTYgAAAABJRU5ErkJggg=="
)


def user_photo(request: SchoolRequest, caller: Caller):
    return HttpResponse(PHOTO, content_type="image/png")


def context(request: SchoolRequest, caller: Caller):
    year = _year(caller)
    last, first, middle = selectors.profile_name(user=caller.user, school=caller.school)
    return _json(
        {
            "schoolyear": _year_json(year),
            "user": {"id": caller.user.pk, "name": " ".join(p for p in (last, first, middle) if p)},
            "schoolId": caller.school.pk,
            "dateFormat": "dd.MM.yyyy",
            "timeFormat": "HH:mm",
            "versionId": VERSION,
            "productName": "ejournal",
        }
    )


def my_settings(request: SchoolRequest, caller: Caller):
    last, first, middle = selectors.profile_name(user=caller.user, school=caller.school)
    return _json(
        {
            "userId": caller.user.pk,
            "loginName": caller.user.username,
            "lastName": last,
            "firstName": first,
            "middleName": middle,
            "roles": selectors.family_roles(user=caller.user, school=caller.school),
            "schoolyearId": _year(caller).pk,
            "windowsTheme": None,
            "showMobilePhone": False,
            "userSettings": {"showMarksColor": False},
        }
    )


def assignment_detail(request: SchoolRequest, caller: Caller, public_id: str):
    student = _student(caller, request)
    kind, pk = adapter.split(int(public_id))
    if kind == "even":
        mark = selectors.marked_work(student, pk)
        if mark is None:
            raise _forbidden()
        work, lesson = mark.work, mark.work.lesson
        name, description, day = work.title or work.work_type.name, work.title, lesson.date
        weight = adapter.whole(work.work_type.weight)
    else:
        homework = selectors.given_homework(student, pk)
        if homework is None:
            raise _forbidden()
        lesson = homework.lesson
        name = description = homework.text
        day, weight = homework.due_date or lesson.date, 0
    teacher = lesson.actual_teacher or lesson.planned_teacher
    return _json(
        {
            "id": int(public_id),
            "assignmentName": name,
            "activityName": None,
            "problemName": None,
            "subjectGroup": {"id": lesson.group_id, "name": lesson.subject.name},
            "teachers": [{"id": teacher.pk, "name": teacher.short_name}] if teacher else [],
            "productId": None,
            "isDeleted": False,
            "weight": weight,
            "date": adapter.date(day),
            "description": description,
            "attachments": [],
        }
    )


# --- Routing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: Callable
    signed_in: bool


def _route(method: str, pattern: str, handler: Callable, signed_in: bool = True) -> Route:
    return Route(method, re.compile(f"^{pattern}$"), handler, signed_in)


ROUTES = [
    _route("GET", r"logindata", logindata, signed_in=False),
    _route("POST", r"auth/getdata", getdata, signed_in=False),
    _route("GET", r"schools/search", schools_search, signed_in=False),
    _route("POST", r"login", login, signed_in=False),
    _route("POST", r"auth/logout", logout, signed_in=False),
    _route("GET", r"context/expired", context_expired, signed_in=False),
    _route("GET", r"sysinfo", sys_info, signed_in=False),
    _route("GET", r"student/diary/init", diary_init),
    _route("GET", r"years/current", years_current),
    _route("GET", r"grade/assignment/types", assignment_types),
    _route("GET", r"student/diary", student_diary),
    _route("GET", r"student/diary/pastmandatory", past_mandatory),
    _route("GET", r"student/diary/assigns/(?P<public_id>\d+)", assignment_detail),
    _route("POST", r"student/diary/get-attachments", get_attachments),
    _route("GET", r"announcements", announcements),
    _route("GET", r"attachments/(?P<public_id>\d+)", attachment_file),
    _route("GET", r"schools/(?P<school_id>-?\d+)/card", school_card),
    _route("GET", r"users/photo", user_photo),
    _route("GET", r"context", context),
    _route("GET", r"mysettings", my_settings),
]


def _token(request: SchoolRequest) -> str:
    return request.headers.get("at") or request.GET.get("at", "")


def _error(error: ApiError) -> JsonResponse:
    response = _json({"message": error.message}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@csrf_exempt
@never_cache
def dispatch(request: SchoolRequest, path: str):
    path = path.strip("/").lower()
    matches = [(r, m) for r in ROUTES if (m := r.pattern.match(path))]
    if not matches:
        return _error(ApiError(404, "Нет такого метода."))
    allowed = [(r, m) for r, m in matches if r.method == request.method]
    if not allowed:
        response = _error(ApiError(405, "Метод не поддерживается."))
        response["Allow"] = ", ".join(sorted({r.method for r, _ in matches}))
        return response
    route, match = allowed[0]
    try:
        caller = None
        if route.signed_in:
            session = selectors.live_session(
                token=_token(request), cookie=request.COOKIES.get(SESSION_COOKIE)
            )
            if session is None:
                raise ApiError(401, "Сеанс завершён или не начат: войдите снова.")
            services.session_touch(session, timezone.now())
            caller = selectors.caller_for(session)
            if not caller.students:
                raise _forbidden()
        return route.handler(request, caller, **match.groupdict())
    except ApiError as error:
        return _error(error)
