"""The real OpenID Connect provider (npm ``oidc-provider``) started for a test, and a
browser stand-in that walks its HTML forms over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent / "provider"
CLIENT_ID, CLIENT_SECRET = "ejournal", "test-secret"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the OpenID Connect journeys must run)")
    pytest.skip(reason)


def _install() -> None:
    if (HERE / "node_modules" / "oidc-provider").exists():
        return
    if shutil.which("npm") is None:
        _unavailable("npm не найден: нужен для тестового провайдера OpenID Connect")
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, capture_output=True
    )
    if done.returncode != 0:
        _unavailable(f"npm ci не удался: {done.stderr.decode()[-500:]}")


def _free_port_pair() -> int:
    """A port whose neighbour is free too (the spoiling proxy listens on port + 1)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports")


class RunningProvider:
    def __init__(self, *, accounts: dict, redirect_uris: list[str], logout_uris: list[str], tmp):
        _install()
        if shutil.which("node") is None:
            _unavailable("node не найден: нужен для тестового провайдера OpenID Connect")
        self.port = _free_port_pair()
        self.issuer = f"http://127.0.0.1:{self.port}"
        config = {
            "client": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": logout_uris,
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            },
            "accounts": accounts,
        }
        path = tmp / "provider.json"
        path.write_text(json.dumps(config, ensure_ascii=False))
        self.process = subprocess.Popen(
            ["node", str(HERE / "server.js"), str(self.port), str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(self.discovery_url(), timeout=1).raise_for_status()
                requests.get(self.discovery_url(spoiled=True), timeout=1).raise_for_status()
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the OpenID Connect test provider did not start")

    def discovery_url(self, *, spoiled: bool = False) -> str:
        port = self.port + 1 if spoiled else self.port
        return f"http://127.0.0.1:{port}/.well-known/openid-configuration"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif tag in ("input", "button") and self.forms and a.get("name"):
            self.forms[-1]["fields"].setdefault(a["name"], a.get("value") or "")


class Browser:
    """Follows the provider's redirects and submits its forms (login, consent, logout
    confirmation) until the provider sends the browser back to our site."""

    def __init__(self):
        self.http = requests.Session()

    def walk(self, url: str, *, login: str | None = None, ours: str = "http://testserver") -> str:
        """The URL on our site the provider finally redirects to; ``login`` answers a
        login form (without it, a login form is where the walk stops: ``"login-form"``)."""
        response = self.http.get(url, allow_redirects=False)
        for _ in range(20):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if target.startswith(ours):
                    return target
                response = self.http.get(target, allow_redirects=False)
                continue
            parser = _Forms()
            parser.feed(response.text)
            if not parser.forms:
                raise AssertionError(f"no form and no redirect at {response.url}")
            form = parser.forms[0]
            fields = dict(form["fields"])
            if "login" in fields or "password" in fields:
                if login is None:
                    return "login-form"
                fields.update(login=login, password="any")
            if "logout" in fields:
                fields["logout"] = "yes"
            action = urljoin(response.url, form["action"])
            response = self.http.post(action, data=fields, allow_redirects=False)
        raise AssertionError("the provider's walk did not end")
