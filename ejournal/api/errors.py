"""One JSON shape for every error of the API:

    {"error": {"code": "<machine code>", "message": "<Russian text>", "details": ...}}

400 bad_request, 401 unauthorized, 403 forbidden / read_only_token / csrf_failed,
404 not_found, 409 conflict, 422 validation_error / invalid / rule_refused,
429 rate_limited (with a Retry-After header).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from ejournal.journal import services as journal_services
from ejournal.security.middleware import DB_ERRORS

logger = logging.getLogger("ejournal.api")


class ErrorBody(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody


ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The documented error responses of an operation (all of them by default)."""
    return dict.fromkeys(statuses or ERROR_STATUSES, ErrorOut)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "not_found", "Не найдено.")


def unauthorized(message: str = "Нужна авторизация: токен в заголовке Authorization.") -> ApiError:
    return ApiError(401, "unauthorized", message)


def rate_limited(wait: int) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        f"Слишком много запросов. Повторите через {wait} с.",
        {"retry_after": wait},
        {"Retry-After": str(wait)},
    )


def _respond(api, request, status: int, code: str, message: str, details=None, headers=None):
    response = api.create_response(
        request, {"error": {"code": code, "message": message, "details": details}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _validation_text(exc: DjangoValidationError) -> str:
    return " ".join(exc.messages)


def install(api) -> None:
    """Register the handlers that turn exceptions into the error shape."""

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return _respond(api, request, exc.status, exc.code, exc.message, exc.details, exc.headers)

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        return _respond(
            api,
            request,
            401,
            "unauthorized",
            "Нужна авторизация: токен в заголовке «Authorization: Bearer …» или вход в систему.",
        )

    @api.exception_handler(Throttled)
    def _throttled(request, exc):
        return _respond(api, request, 429, "rate_limited", "Слишком много запросов.")

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        if exc.status_code == 403 and "CSRF" in str(exc):
            return _respond(
                api,
                request,
                403,
                "csrf_failed",
                "Проверка CSRF не пройдена: передайте заголовок X-CSRFToken.",
            )
        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 409: "conflict"}
        return _respond(
            api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message)
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return _respond(api, request, 404, "not_found", "Не найдено.")

    @api.exception_handler(NinjaValidationError)
    def _invalid_request(request, exc: NinjaValidationError):
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors
        ]
        return _respond(
            api,
            request,
            422,
            "validation_error",
            "Неверные данные запроса: проверьте параметры и тело запроса.",
            details,
        )

    @api.exception_handler(journal_services.JournalConflict)
    def _conflict(request, exc: journal_services.JournalConflict):
        return _respond(api, request, 409, "conflict", str(exc), {"current": exc.current})

    @api.exception_handler(journal_services.CellError)
    def _cell(request, exc: journal_services.CellError):
        error = exc.error
        if isinstance(error, journal_services.JournalConflict):
            return _respond(
                api,
                request,
                409,
                "conflict",
                str(error),
                {"index": exc.index, "current": error.current},
            )
        assert isinstance(error, DjangoValidationError)
        refusal = isinstance(error, journal_services.JournalRefusal)
        return _respond(
            api,
            request,
            422,
            "rule_refused" if refusal else "invalid",
            _validation_text(error),
            {"index": exc.index, "correctable": bool(getattr(error, "correctable", False))},
        )

    @api.exception_handler(OverflowError)
    def _overflow(request, exc):
        # An id or a number past what the database holds (2^63 and beyond), or a date
        # pushed past the calendar's end: nothing can match it.
        return _respond(api, request, 422, "invalid", "Число или дата вне допустимого диапазона.")

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        if isinstance(exc, DB_ERRORS):
            return _respond(
                api,
                request,
                503,
                "unavailable",
                "Сервис временно недоступен: нет связи с базой данных.",
            )
        logger.exception("API error on %s", request.path)
        return _respond(
            api, request, 500, "server_error", "Внутренняя ошибка сервера. Мы уже разбираемся."
        )

    @api.exception_handler(DjangoValidationError)
    def _rule(request, exc: DjangoValidationError):
        refusal = isinstance(exc, journal_services.JournalRefusal)
        return _respond(
            api,
            request,
            422,
            "rule_refused" if refusal else "invalid",
            _validation_text(exc),
            {"correctable": bool(getattr(exc, "correctable", False))} if refusal else None,
        )
