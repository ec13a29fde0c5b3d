"""manage.py demo_code — the current two-factor code of the demo administrator, director
and deputy (they share the public demo key; a real deployment has no such key)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from ejournal.demo.builder.two_factor import (
    DEMO_TOTP_SECRET,
    DEMO_TWO_FACTOR_LOGINS,
    demo_totp_key_hex,
)

STEP = 30  # seconds, as TOTPDevice's default


class Command(BaseCommand):
    help = "Показать текущий код подтверждения для демо-входов admin, director, deputy."

    def handle(self, *args, **options):
        code = totp(bytes.fromhex(demo_totp_key_hex()), step=STEP, digits=6)
        left = STEP - int(time.time()) % STEP
        self.stdout.write(
            f"Код для {', '.join(DEMO_TWO_FACTOR_LOGINS)}: {code:06d} (действует ещё {left} с). "
            f"Ключ для приложения-аутентификатора: {DEMO_TOTP_SECRET}"
        )
