"""Every error of the REST API in its one JSON shape, also the ones answered before an
endpoint runs (a method the path does not take, a path that does not exist, a 413)."""

from __future__ import annotations

import json

from django.http import HttpResponse

PREFIX = "/api/v1/"
DOCS = "/api/v1/docs"
MESSAGES = {
    400: ("bad_request", "Неверный запрос."),
    403: ("forbidden", "Доступ запрещён."),
    404: ("not_found", "Не найдено."),
    405: ("method_not_allowed", "Этот метод не поддерживается для этого адреса."),
    413: ("too_large", "Запрос слишком большой."),
    429: ("rate_limited", "Слишком много запросов."),
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(PREFIX)
            and not request.path.startswith(DOCS)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = MESSAGES.get(response.status_code, ("error", "Запрос не выполнен."))
            shaped = HttpResponse(
                json.dumps(
                    {"error": {"code": code, "message": message, "details": None}},
                    ensure_ascii=False,
                ),
                status=response.status_code,
                content_type="application/json; charset=utf-8",
            )
            for header in ("Allow", "Retry-After"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response
