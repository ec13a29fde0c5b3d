import datetime as dt
from hashlib import md5

import pytest
import time_machine
from django.test import Client

from ejournal.diary.tests.conftest import MONDAY, TODAY, DiaryWorld  # noqa: F401
from ejournal.webapi import services


@pytest.fixture
def dw(world):
    return DiaryWorld(world)


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 11, 18, 12, 0), tick=False) as traveller:
        yield traveller


def proof(password: str, salt: str) -> tuple[str, str]:
    """(pw, pw2) exactly as netschoolapi computes them."""
    h = md5(password.encode("windows-1251")).hexdigest().encode()
    pw2 = md5(salt.encode() + h).hexdigest()
    return pw2[: len(password)], pw2


class ApiClient:
    """A NetSchool client speaking to the test server: a cookie jar and the ``at`` header."""

    def __init__(self):
        self.client = Client()
        self.at = ""

    def _headers(self):
        return {"at": self.at} if self.at else {}

    def get(self, path, **params):
        return self.client.get(f"/webapi/{path}", params, headers=self._headers())

    def post(self, path, data=None, json_body=None, query=""):
        url = f"/webapi/{path}" + (f"?{query}" if query else "")
        if json_body is not None:
            import json

            return self.client.post(
                url, json.dumps(json_body), content_type="application/json", headers=self._headers()
            )
        return self.client.post(url, data or {}, headers=self._headers())

    def login(self, username, password, school_id):
        self.get("logindata")
        meta = self.post("auth/getdata").json()
        pw, pw2 = proof(password, meta["salt"])
        response = self.post(
            "login",
            {
                "loginType": 1,
                "scid": school_id,
                "un": username,
                "pw": pw,
                "pw2": pw2,
                "lt": meta["lt"],
                "ver": meta["ver"],
            },
        )
        if response.status_code == 200:
            self.at = response.json()["at"]
        return response


@pytest.fixture
def app_password(world):
    """user role -> a fresh app password for that user."""

    def make(role="parent"):
        _item, password = services.app_password_create(user=world.users[role])
        return password

    return make


@pytest.fixture
def api_for(world, app_password):
    """role -> an ApiClient signed in with that user's app password."""

    def make(role="parent"):
        api = ApiClient()
        response = api.login(world.users[role].username, app_password(role), world.school.pk)
        assert response.status_code == 200, response.content
        return api

    return make
