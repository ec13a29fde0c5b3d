"""The load of ``bench/load.py``: morning teachers, evening families, API and /webapi clients.

Run by ``bench/load.py`` (which prepares the users and lessons in BENCH_FIXTURE); not
meant to be started by hand. Request names are the page names of the report.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re

from locust import HttpUser, between, task

FIXTURE = json.loads(open(os.environ["BENCH_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
_teachers = itertools.cycle(FIXTURE["teachers"])
_families = itertools.cycle(FIXTURE["families"])
_api = itertools.cycle(FIXTURE["families"])
_webapi = itertools.cycle(FIXTURE["families"])

# Seconds a person pauses between pages (load.py --think).
THINK = between(*(float(x) for x in os.environ.get("BENCH_THINK", "0.5,2").split(",")))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(user: HttpUser, login: str, password: str) -> None:
    page = user.client.get("/login/", name="sign-in form")
    token = CSRF_INPUT.search(page.text)
    with user.client.post(
        "/login/",
        data={
            "username": login,
            "password": password,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        name="sign in",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code != 302:
            response.failure(f"sign-in answered {response.status_code}")


class MorningTeacher(HttpUser):
    """Open today's lesson, the group's journal for the period, mark attendance, enter
    five marks, save homework — and again, as a teacher does lesson after lesson."""

    weight = 20
    wait_time = THINK

    def on_start(self):
        self.me = next(_teachers)
        sign_in(self, self.me["login"], FIXTURE["password"])
        self.versions: dict[tuple, int | None] = {}
        self.homework_version = 1
        self.round = 0

    def _save(self, cells: list[dict], name: str) -> None:
        csrf = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/journal/cells/",
            data=json.dumps({"cells": cells}),
            headers={"Content-Type": "application/json", "X-CSRFToken": csrf},
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            for cell, saved in zip(cells, response.json()["cells"], strict=True):
                self.versions[(cell["k"], cell["w"], cell["s"])] = saved["ver"]

    @task
    def lesson_round(self):
        me = self.me
        self.round += 1
        self.client.get(f"/journal/lesson/{me['lesson']}/", name="lesson page")
        self.client.get(me["journal_url"], name="journal page")
        absent = "н" if self.round % 2 else ""
        self._save(
            [
                {
                    "k": "a",
                    "l": me["lesson"],
                    "w": None,
                    "s": s,
                    "v": absent,
                    "ver": self.versions.get(("a", None, s)),
                }
                for s in me["absent_students"]
            ],
            "attendance save",
        )
        value = "543"[self.round % 3]
        self._save(
            [
                {
                    "k": "m",
                    "l": me["lesson"],
                    "w": me["work"],
                    "s": s,
                    "v": value,
                    "ver": self.versions.get(("m", me["work"], s)),
                }
                for s in me["marked_students"]
            ],
            "mark save",
        )
        csrf = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            f"/journal/homework/{me['homework']}/edit/",
            data={
                "text": f"§ {self.round}, упр. {self.round * 3}",
                "version": self.homework_version,
                "csrfmiddlewaretoken": csrf,
            },
            name="homework save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"homework answered {response.status_code}")
            else:
                self.homework_version += 1


class EveningFamily(HttpUser):
    """Sign in, the diary week, marks by subject, the homework list."""

    weight = 24
    wait_time = THINK

    def on_start(self):
        self.me = next(_families)
        sign_in(self, self.me["login"], FIXTURE["password"])

    @task
    def diary_round(self):
        child = self.me["student"]
        self.client.get(f"/diary/{child}/week/", name="diary week")
        self.client.get(f"/diary/{child}/marks/", name="diary marks")
        self.client.get(f"/diary/{child}/homework/", name="diary homework")


class ApiClient(HttpUser):
    """A family app on the REST API: the diary week."""

    weight = 3
    wait_time = THINK

    def on_start(self):
        self.me = next(_api)

    @task
    def week(self):
        self.client.get(
            f"/api/v1/students/{self.me['student']}/diary",
            headers={"Authorization": f"Bearer {self.me['token']}"},
            name="api diary week",
        )


class WebapiClient(HttpUser):
    """A «Сетевой город» client (netschoolapi's protocol): log in, then the diary week."""

    weight = 3
    wait_time = THINK

    def on_start(self):
        self.me = next(_webapi)
        self.client.get("/webapi/logindata", name="webapi login")
        data = self.client.post("/webapi/auth/getdata", name="webapi login").json()
        password_md5 = hashlib.md5(self.me["app_password"].encode("cp1251")).hexdigest()  # noqa: S324
        pw2 = hashlib.md5((data["salt"] + password_md5).encode()).hexdigest()  # noqa: S324
        login = self.client.post(
            "/webapi/login",
            data={
                "loginType": 1,
                "scid": self.me["school_id"],
                "un": self.me["login"],
                "pw": pw2[: len(self.me["app_password"])],
                "pw2": pw2,
                "lt": data["lt"],
                "ver": data["ver"],
            },
            name="webapi login",
        ).json()
        self.at = login["at"]
        init = self.client.get(
            "/webapi/student/diary/init", headers={"at": self.at}, name="webapi login"
        ).json()
        self.student_id = init["students"][0]["studentId"]
        self.year_id = self.client.get(
            "/webapi/years/current", headers={"at": self.at}, name="webapi login"
        ).json()["id"]

    @task
    def week(self):
        self.client.get(
            "/webapi/student/diary",
            params={
                "studentId": self.student_id,
                "yearId": self.year_id,
                "weekStart": FIXTURE["week_start"],
                "weekEnd": FIXTURE["week_end"],
            },
            headers={"at": self.at},
            name="webapi diary week",
        )
