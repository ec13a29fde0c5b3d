"""Sign-in through a region's OpenID Connect provider (Keycloak in front of ЕСИА).

The relying party is authlib (``authlib.integrations.django_client``): a maintained
library that does the protocol's checks for us — discovery from ``.well-known``, the
authorization code with PKCE (S256), ``state`` kept in the session and used up once,
``nonce``, and the ID token's signature (the provider's JWKS) and claims (iss, aud, exp).
What is ours is who the person is: matched once by configured claims, never by e-mail,
then linked by ``sub``; nobody is created from the outside.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ejournal.accounts import services as account_services
from ejournal.accounts import two_factor
from ejournal.accounts.models import User
from ejournal.audit import services as audit
from ejournal.oidc.models import OidcLink, PersonIdentity

log = logging.getLogger("ejournal.oidc")

UNKNOWN_PERSON = (
    "Мы не нашли вашу учётную запись в электронном журнале. Вход через {label} доступен "
    "тем, чьи данные (СНИЛС или ФИО и дата рождения) уже внесены школой. Обратитесь к "
    "классному руководителю или администратору школы."
)
ACCOUNT_BLOCKED = "Учётная запись заблокирована. Обратитесь к администратору."


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    discovery_url: str
    client_id: str
    client_secret: str


class SignInRefused(Exception):
    """The provider vouched for someone we may not let in; the message is for them."""


def providers() -> list[Provider]:
    return [
        Provider(
            name=p["name"],
            label=p.get("label") or f"Войти через {p['name']}",
            discovery_url=p["discovery_url"],
            client_id=p["client_id"],
            client_secret=p.get("client_secret", ""),
        )
        for p in settings.OIDC_PROVIDERS
    ]


def provider_by_name(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


def client_for(provider: Provider) -> DjangoOAuth2App:
    """A fresh client per request: settings (and so the providers) may change under tests,
    and the discovery document is one small GET."""
    oauth = OAuth()
    return oauth.register(
        name=provider.name,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.discovery_url,
        client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"},
    )


def verified_claims(*, client: DjangoOAuth2App, token: dict) -> dict:
    """The ID token's claims (already verified), completed from the userinfo endpoint: a
    provider may keep profile claims (СНИЛС, birth date) out of the ID token. Userinfo
    counts only for the same ``sub``, and never overrides the token (acr, amr)."""
    claims = dict(token.get("userinfo") or {})
    if claims.get("sub") and client.load_server_metadata().get("userinfo_endpoint"):
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") == claims["sub"]:
            claims = {**extra, **claims}
    return claims


def normalize_snils(value: object) -> str:
    return re.sub(r"\D", "", str(value or ""))


def _birth_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _folded(*parts: object) -> tuple[str, ...]:
    # Compared in Python: SQLite folds the case of Latin letters only, not Cyrillic.
    return tuple(" ".join(str(p or "").split()).casefold().replace("ё", "е") for p in parts)


def _by_name_and_birth_date(claims: dict) -> list[int]:
    born = _birth_date(claims.get("birthdate"))
    if born is None or not claims.get("family_name") or not claims.get("given_name"):
        return []
    wanted = _folded(claims["family_name"], claims["given_name"], claims.get("middle_name"))
    people = PersonIdentity.objects.filter(birth_date=born).values_list(
        "user_id", "user__last_name", "user__first_name", "user__patronymic"
    )
    return [user_id for user_id, *name in people if _folded(*name) == wanted]


def person_match(*, claims: dict) -> User | None:
    """The one account the claims describe, by the configured rules in order; several
    candidates are as good as none (a namesake must never get in)."""
    for rule in settings.OIDC_MATCH_BY:
        candidates: list[int] = []
        if rule == "snils" and (snils := normalize_snils(claims.get("snils"))):
            candidates = list(
                PersonIdentity.objects.filter(snils=snils).values_list("user_id", flat=True)
            )
        elif rule == "name_birthdate":
            candidates = _by_name_and_birth_date(claims)
        if len(candidates) == 1:
            return User.objects.get(pk=candidates[0])
    return None


class _Refusal(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(reason)
        self.reason, self.message = reason, message


def _refusal_record(*, provider: Provider, claims: dict, reason: str) -> None:
    subject = str(claims.get("sub", ""))[:255]
    log.warning(
        "OIDC sign-in refused: provider=%s sub=%s reason=%s", provider.name, subject, reason
    )
    audit.record(
        action="auth.oidc_refused",
        object_type="oidc.subject",
        object_id=f"{provider.name}:{subject}"[:64],
        after={"provider": provider.name, "reason": reason},
    )


def oidc_sign_in(*, provider: Provider, claims: dict) -> User:
    """The account the verified claims belong to: by the link, else by a first match
    (which makes the link). Records the sign-in with the strength the provider stated."""
    subject = str(claims.get("sub") or "")
    acr = str(claims.get("acr") or "")
    amr = [str(m) for m in claims.get("amr") or []]
    try:
        return _sign_in_linked(provider=provider, claims=claims, subject=subject, acr=acr, amr=amr)
    except _Refusal as refusal:
        # Recorded after the sign-in's transaction is rolled back, so that it stays.
        _refusal_record(provider=provider, claims=claims, reason=refusal.reason)
        raise SignInRefused(refusal.message) from None


def _sign_in_linked(*, provider: Provider, claims: dict, subject: str, acr: str, amr: list) -> User:
    with transaction.atomic():
        link = (
            OidcLink.objects.select_for_update()
            .select_related("user")
            .filter(provider=provider.name, subject=subject)
            .first()
        )
        if link is None:
            user = person_match(claims=claims) if subject else None
            if user is None or OidcLink.objects.filter(provider=provider.name, user=user).exists():
                label = provider.label.removeprefix("Войти через ")
                raise _Refusal("unmatched", UNKNOWN_PERSON.format(label=label))
            link = OidcLink.objects.create(user=user, provider=provider.name, subject=subject)
            audit.record(
                action="oidc.linked", actor=user, obj=user, after={"provider": provider.name}
            )
        if not link.user.is_active:
            raise _Refusal("inactive", ACCOUNT_BLOCKED)
        link.last_sign_in_at = timezone.now()
        link.last_acr, link.last_amr = acr, amr
        link.save(update_fields=["last_sign_in_at", "last_acr", "last_amr"])
        audit.record(
            action="auth.sign_in_oidc",
            actor=link.user,
            obj=link.user,
            after={"provider": provider.name, "label": provider.label, "acr": acr, "amr": amr},
            reason=f"вход через {provider.label.removeprefix('Войти через ')}",
        )
    return link.user


def is_multi_factor(claims: dict) -> bool:
    """The provider said two factors were used (RFC 8176 ``mfa``, or an OTP/hardware key)."""
    return bool({"mfa", "otp", "hwk", "sms"} & {str(m) for m in claims.get("amr") or []})


def needs_our_code(*, user: User, claims: dict) -> bool:
    """Whoever must give our code after a password gives it after the provider too, unless
    the provider vouches for two factors or the role signs in only through the provider
    (whose own second factor then stands in for ours)."""
    if is_multi_factor(claims) or account_services.password_sign_in_forbidden(user):
        return False
    return two_factor.needs_second_step(user)


def failure_record(*, provider: Provider, error: str) -> None:
    log.warning("OIDC callback rejected: provider=%s error=%s", provider.name, error)
    audit.record(
        action="auth.oidc_failed",
        object_type="oidc.provider",
        object_id=provider.name,
        after={"error": error[:200]},
    )
