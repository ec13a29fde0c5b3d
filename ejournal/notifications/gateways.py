"""Delivery channels behind one small interface, and whether each is really set up.

- E-mail goes through Django's mail backend. It is configured when that backend sends
  (SMTP with ``EMAIL_HOST``, or a backend named in ``EMAIL_BACKEND``); Django's file and
  console backends — the default without ``EMAIL_HOST`` — only write the letter down.
- SMS goes through the HTTP gateway of an SMS provider, in the form the Russian providers
  use (a GET or POST with the phone and the text; ``SMS_GATEWAY_URL``), with the answer
  read for the provider's message id or its error.
- Push goes by Web Push (``push.py``) to the browsers a person subscribed; on unless
  ``WEBPUSH_ENABLED=0``.
- Any other provider: a class named in ``NOTIFICATION_GATEWAYS``.

A channel that is not configured creates no notifications and the preferences page says
«не настроено» for it: nothing claims to be sent that was not.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from ejournal.core.mail import email_sends

NOT_CONFIGURED = "не настроено"
SMS_TIMEOUT_SECONDS = 10


class GatewayError(Exception):
    """The provider did not accept the message; the delivery will be retried."""


class Gateway(Protocol):
    def send(self, *, address: str, subject: str, body: str, url: str = "") -> str | None:
        """Hand the message over (``url``: the page it is about); returns the provider's
        message id when it gives one."""
        ...


class EmailGateway:
    def send(self, *, address: str, subject: str, body: str, url: str = "") -> str | None:
        try:
            EmailMessage(subject=subject, body=body, to=[address]).send()
        except Exception as exc:  # SMTP errors come in many classes
            raise GatewayError(str(exc)) from exc
        return None


def sms_phone(phone: str) -> str:
    """The number as SMS providers take it: digits only, a Russian 8… as 7…."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


class HttpSmsGateway:
    """An SMS provider's HTTP gateway (SMS.ru, SMSC, SMS Aero, МТС Exolve's simple API…).

    ``SMS_GATEWAY_URL`` holds the request with ``{phone}`` and ``{text}`` where the number
    and the text go, e.g. ``https://sms.ru/sms/send?api_id=KEY&to={phone}&msg={text}&json=1``
    or ``https://smsc.ru/sys/send.php?login=L&psw=P&phones={phone}&mes={text}&fmt=3``.
    ``SMS_GATEWAY_METHOD=POST`` sends the query as a form body instead. The answer counts
    as accepted when the HTTP status is 2xx and it carries no error (JSON ``error``,
    ``error_code`` or a ``status`` of ERROR; a text answer starting with ERROR).
    """

    def __init__(self, channel: str = "sms"):
        self.url = settings.SMS_GATEWAY_URL
        self.method = (getattr(settings, "SMS_GATEWAY_METHOD", "") or "GET").upper()

    def send(self, *, address: str, subject: str, body: str, url: str = "") -> str | None:
        url = self.url.format(
            phone=urllib.parse.quote(sms_phone(address)), text=urllib.parse.quote(body)
        )
        data = None
        if self.method == "POST":
            url, _, query = url.partition("?")
            data = query.encode()
        request = urllib.request.Request(url, data=data, method=self.method)  # noqa: S310 - the administrator's https URL
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_SECONDS) as response:  # noqa: S310
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"шлюз SMS ответил {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise GatewayError(f"шлюз SMS недоступен: {exc}") from exc
        return sms_answer(text)


def sms_answer(text: str) -> str | None:
    """The provider's message id from its answer; GatewayError with its reason."""
    try:
        answer: Any = json.loads(text)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        status = str(answer.get("status", "")).upper()
        if "error" in answer or "error_code" in answer or status in {"ERROR", "FAIL"}:
            reason = answer.get("status_text") or answer.get("error") or answer.get("message")
            raise GatewayError(f"шлюз SMS отказал: {reason or text[:200]}")
        for sms in (answer.get("sms") or {}).values():  # SMS.ru: per number
            if isinstance(sms, dict) and str(sms.get("status", "")).upper() == "ERROR":
                raise GatewayError(f"шлюз SMS отказал: {sms.get('status_text') or text[:200]}")
            if isinstance(sms, dict) and sms.get("sms_id"):
                return str(sms["sms_id"])
        found = answer.get("id") or answer.get("message_id")
        return str(found) if found else None
    if text.strip().upper().startswith("ERROR"):
        raise GatewayError(f"шлюз SMS отказал: {text.strip()[:200]}")
    found = re.search(r"ID\s*[-:=]\s*(\S+)", text)
    return found.group(1) if found else None


def _configured_paths() -> dict[str, str]:
    paths = {
        key: value
        for key, value in (getattr(settings, "NOTIFICATION_GATEWAYS", None) or {}).items()
        if value
    }
    if "email" not in paths and email_sends():
        paths["email"] = "ejournal.notifications.gateways.EmailGateway"
    if "sms" not in paths and settings.SMS_GATEWAY_URL:
        paths["sms"] = "ejournal.notifications.gateways.HttpSmsGateway"
    if "push" not in paths and settings.WEBPUSH_ENABLED:
        paths["push"] = "ejournal.notifications.push.WebPushGateway"
    return paths


def is_configured(channel: str) -> bool:
    return channel in _configured_paths()


def gateway_for(channel: str) -> Gateway | None:
    """The channel's gateway, or None where it is not configured."""
    path = _configured_paths().get(channel)
    if path is None:
        return None
    cls = import_string(path)
    try:
        return cls(channel)
    except TypeError:
        return cls()
