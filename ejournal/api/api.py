"""The REST API v1: one NinjaAPI with its routers, auth and error handlers."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from ejournal.api import errors
from ejournal.api.auth import SessionAuth, TokenAuth
from ejournal.api.docs import LocalSwagger
from ejournal.api.endpoints import diary, journal, me, messaging, staff

DESCRIPTION = """
REST API электронного журнала и дневника.

**Авторизация.** Личный токен доступа (создаётся в профиле, раздел «Доступ к API»)
передаётся в заголовке `Authorization: Bearer ejt_…`. Токен бывает «только чтение» и
«чтение и запись», имеет срок действия и может быть отозван. Из браузера, где выполнен
вход, API доступно и по сессии; изменяющие запросы тогда требуют заголовок `X-CSRFToken`.

**Школа.** Если у пользователя роли в нескольких школах, нужную школу указывают в
заголовке `X-School: <id школы>` (список — в `/me`).

**Права** те же, что на страницах журнала: чужое и несуществующее одинаково отвечают 404.

**Ошибки** всегда в одном виде:
`{"error": {"code": "…", "message": "текст по-русски", "details": …}}` —
400 `bad_request`/`school_required`, 401 `unauthorized`, 403 `read_only_token`/`csrf_failed`,
404 `not_found`, 409 `conflict` (запись изменена другим пользователем, в `details.current` —
текущее значение), 422 `validation_error`/`invalid`/`rule_refused` (правило журнала,
например истёк срок выставления отметок; `details.correctable` — можно подать запрос на
исправление), 429 `rate_limited` с заголовком `Retry-After`.

**Списки** постраничные по ключу: `limit` и `cursor` (значение `next_cursor` предыдущей
страницы; `null` — страниц больше нет). Даты и время — ISO 8601.

**Кодовые имена.** Ученик, которому приказом присвоено кодовое имя, везде выводится по нему.
"""


class ReadableJSON(JSONRenderer):
    # Russian text stays readable in the responses instead of \u escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Электронный журнал — API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    auth=[TokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=ReadableJSON(),
)
errors.install(api)
api.add_router("", me.router)
api.add_router("", staff.router)
api.add_router("", journal.router)
api.add_router("", diary.router)
api.add_router("", messaging.router)
