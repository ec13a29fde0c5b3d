"""Delivery channels behind one small interface, chosen in settings.

``NOTIFICATION_GATEWAYS`` maps a channel to a dotted class path; the defaults send e-mail
through Django's mail backend and write SMS and push messages to files under the data
directory (for development and tests). A real SMS or push provider is one class with a
``send`` method that raises ``GatewayError`` on failure.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string


class GatewayError(Exception):
    """The provider did not accept the message; the delivery will be retried."""


class Gateway(Protocol):
    def send(self, *, address: str, subject: str, body: str) -> None: ...


class EmailGateway:
    def send(self, *, address: str, subject: str, body: str) -> None:
        try:
            EmailMessage(subject=subject, body=body, to=[address]).send()
        except Exception as exc:  # SMTP errors come in many classes
            raise GatewayError(str(exc)) from exc


class ConsoleGateway:
    """Prints messages to standard output."""

    def __init__(self, channel: str = ""):
        self.channel = channel

    def send(self, *, address: str, subject: str, body: str) -> None:
        sys.stdout.write(f"[{self.channel}] {address}: {subject}\n{body}\n\n")


class FileGateway:
    """Appends each message as a JSON line to ``<dir>/<channel>.jsonl``."""

    def __init__(self, channel: str = ""):
        self.channel = channel
        directory = getattr(settings, "NOTIFICATION_FILE_DIR", None) or (
            Path(settings.DATA_DIR) / "notifications"
        )
        self.path = Path(directory) / f"{channel or 'messages'}.jsonl"

    def send(self, *, address: str, subject: str, body: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            line = {
                "at": dt.datetime.now(dt.UTC).isoformat(),
                "to": address,
                "subject": subject,
                "body": body,
            }
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise GatewayError(str(exc)) from exc


DEFAULT_GATEWAYS = {
    "email": "ejournal.notifications.gateways.EmailGateway",
    "sms": "ejournal.notifications.gateways.FileGateway",
    "push": "ejournal.notifications.gateways.FileGateway",
}


def gateway_for(channel: str) -> Gateway:
    configured = {**DEFAULT_GATEWAYS, **getattr(settings, "NOTIFICATION_GATEWAYS", {})}
    cls = import_string(configured[channel])
    try:
        return cls(channel)
    except TypeError:
        return cls()
