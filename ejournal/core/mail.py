"""Whether the deployment's e-mail really sends: SMTP with ``EMAIL_HOST``, or a backend
named in ``EMAIL_BACKEND``. Django's file and console backends (the default without
``EMAIL_HOST``) only write the letter down: features that need a letter to arrive (a
confirmation link, a password reset) say «не настроено» instead of pretending."""

from __future__ import annotations

from django.conf import settings

KEEPING_MAIL_BACKENDS = {
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def email_sends() -> bool:
    return settings.EMAIL_BACKEND not in KEEPING_MAIL_BACKENDS
