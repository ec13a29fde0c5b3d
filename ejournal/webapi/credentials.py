"""The protocol's password arithmetic, app password generation and encryption at rest.

NetSchool clients prove the password by ``pw2 = md5(salt + md5(password_cp1251))``, so the
server must keep H = md5(password) itself. H is kept encrypted: a keystream of
HMAC-SHA256(key, nonce) xor H, authenticated by HMAC-SHA256 over nonce and ciphertext
(encrypt-then-MAC, standard library only). The keys derive from ``SECRET_KEY``: rotating it
invalidates every app password (their owners create new ones).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

# No look-alike characters: people type these into bots by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 4
PASSWORD_LENGTH = GROUPS * GROUP_LENGTH + GROUPS - 1


def new_password() -> str:
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def password_md5(password: str) -> str:
    """H: lowercase hex MD5 of the password in Windows-1251, as the clients compute it."""
    return hashlib.md5(password.encode("windows-1251")).hexdigest()  # noqa: S324 - protocol


def expected_pw2(salt: str, h: str) -> str:
    return hashlib.md5(salt.encode() + h.encode("ascii")).hexdigest()  # noqa: S324 - protocol


def proof_matches(*, salt: str, h: str, pw2: str, pw: str) -> bool:
    """``pw2`` proves the password; clients that send only ``pw`` send its prefix."""
    expected = expected_pw2(salt, h)
    if pw2:
        return hmac.compare_digest(expected, pw2.strip().lower())
    return bool(pw) and hmac.compare_digest(expected[:PASSWORD_LENGTH], pw.strip().lower())


def _key(purpose: str) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"ejournal.webapi.{purpose}".encode(), hashlib.sha256
    ).digest()


def encrypt(h: str) -> str:
    plain = bytes.fromhex(h)
    nonce = secrets.token_bytes(16)
    stream = hmac.new(_key("encrypt"), nonce, hashlib.sha256).digest()
    cipher = bytes(a ^ b for a, b in zip(plain, stream, strict=False))
    tag = hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + cipher + tag).decode()


def decrypt(value: str) -> str | None:
    """H, or None when the value was not made with this key (or was tampered with)."""
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (ValueError, TypeError):
        return None
    if len(raw) != 16 + 16 + 32:
        return None
    nonce, cipher, tag = raw[:16], raw[16:32], raw[32:]
    if not hmac.compare_digest(tag, hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()):
        return None
    stream = hmac.new(_key("encrypt"), nonce, hashlib.sha256).digest()
    return bytes(a ^ b for a, b in zip(cipher, stream, strict=False)).hex()


def session_cookie(user_pk: int | None = None) -> str:
    """A session cookie; after login it is signed for the user: ``random.user.signature``.

    The cookie must survive re-logins (netschoolapi re-sends a failed request with its old
    cookie), yet a cookie planted in someone's client must not become their session. So a
    login keeps the cookie only when it is signed for the user signing in, else replaces it.
    """
    value = secrets.token_urlsafe(24)
    if user_pk is None:
        return value
    return f"{value}.{user_pk}.{_cookie_signature(value, user_pk)}"


def _cookie_signature(value: str, user_pk: int) -> str:
    return hmac.new(_key("cookie"), f"{value}.{user_pk}".encode(), hashlib.sha256).hexdigest()[:32]


def cookie_user(cookie: str | None) -> int | None:
    """The user a cookie is signed for, else None."""
    parts = (cookie or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    value, user_pk, signature = parts[0], int(parts[1]), parts[2]
    return user_pk if hmac.compare_digest(signature, _cookie_signature(value, user_pk)) else None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
