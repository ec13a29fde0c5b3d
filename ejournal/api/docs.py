"""Interactive API documentation served without the internet.

Django Ninja's Swagger page loads its scripts from a CDN unless ``ninja`` is an installed
app; schools may have no internet, so the page here is our own template and its assets are
read from the installed ``ninja`` package by ``asset`` (a fixed list of files)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

from ejournal.school.http import SchoolRequest

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png", "favicon.svg"}
)


class LocalSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "persistAuthorization": False,
        }
        return render(
            request,
            "api/docs.html",
            {"api": api, "swagger_settings": json.dumps(settings), "add_csrf": True},
        )


@require_GET
@cache_control(max_age=86400, public=True)
def asset(request: SchoolRequest, name: str):
    if name not in ASSETS:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)


def asset_url(name: str) -> str:
    return reverse("api:docs_asset", args=[name])
