"""A family's own contacts for notifications: the e-mail and phone on the guardian's card
are the account's. A parent sees them and changes them here: the phone at once, an
e-mail only once a link sent to it is opened (until then mail goes to the old address).
Every change is audited; staff keep the contacts the school entered."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from ejournal.accounts.models import Guardian, User
from ejournal.audit import services as audit
from ejournal.core import ratelimit
from ejournal.notifications import gateways
from ejournal.notifications.models import Channel
from ejournal.people import services as people_services

SALT = "ejournal.notifications.contacts.email"
CONFIRM_DAYS = 3
RATE = "5/3600"  # confirmation letters per account


def guardians_of(user: User) -> list[Guardian]:
    return list(Guardian.objects.filter(user=user).select_related("school"))


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) == 10:
        digits = "7" + digits
    if len(digits) != 11 or digits[0] not in "78":
        raise ValidationError("Укажите номер мобильного телефона: +7 900 000-00-00.")
    return f"+7 {digits[1:4]} {digits[4:7]}-{digits[7:9]}-{digits[9:11]}"


@transaction.atomic
def phone_change(*, user: User, phone: str) -> bool:
    """The parent's phone on every card of theirs; False when nothing changed."""
    guardians = guardians_of(user)
    if not guardians:
        raise ValidationError("Телефон хранится в карточке родителя: у вас её нет.")
    phone = _phone(phone) if phone.strip() else ""
    changed = False
    for guardian in guardians:
        if guardian.phone != phone:
            people_services.guardian_update_contacts(guardian=guardian, actor=user, phone=phone)
            changed = True
    return changed


def email_change_request(*, user: User, email: str, base_url: str) -> None:
    """Send the link that confirms ``email`` to it; the address changes when it is opened."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError("Укажите адрес электронной почты, например ivanova@mail.ru.") from exc
    if email == (user.email or "").lower() and user.email_confirmed:
        raise ValidationError("Этот адрес уже подтверждён.")
    if not gateways.is_configured(Channel.EMAIL):
        raise ValidationError(
            "Отправка писем в школе не настроена: подтвердить адрес нельзя. "
            "Сообщите его классному руководителю."
        )
    if ratelimit.hit("contacts_email", key=str(user.pk), rate=RATE):
        raise ValidationError("Слишком много писем за час: попробуйте позже.")
    token = signing.dumps({"u": user.pk, "old": user.email or "", "new": email}, salt=SALT)
    link = base_url.rstrip("/") + reverse("notifications:email_confirm", args=[token])
    send_mail(
        subject="Подтвердите адрес электронной почты",
        message=(
            f"Здравствуйте, {user.get_full_name() or user.username}!\n\n"
            "Чтобы получать уведомления электронного дневника на этот адрес, откройте ссылку "
            f"(она действует {CONFIRM_DAYS} дня):\n{link}\n\n"
            "Если вы не меняли адрес, ничего не делайте: он останется прежним."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )
    audit.record(
        action="contacts.email_change_requested", actor=user, obj=user, after={"email": email}
    )


@transaction.atomic
def email_change_confirm(*, user: User, token: str) -> str:
    """The address from the link becomes the account's and its cards'; a link works
    once, only for the account it was sent for, and for three days."""
    try:
        data = signing.loads(token, salt=SALT, max_age=CONFIRM_DAYS * 24 * 3600)
    except signing.SignatureExpired as exc:
        raise ValidationError("Ссылка устарела: запросите письмо ещё раз.") from exc
    except signing.BadSignature as exc:
        raise ValidationError("Ссылка повреждена: запросите письмо ещё раз.") from exc
    if data.get("u") != user.pk:
        raise ValidationError("Эта ссылка для другой учётной записи.")
    if data.get("old") != (user.email or "") or (
        user.email_confirmed and user.email == data.get("new")
    ):
        raise ValidationError("Адрес уже изменён по этой или другой ссылке.")
    before = user.email
    user.email = data["new"]
    user.email_confirmed = True
    user.save(update_fields=["email", "email_confirmed"])
    for guardian in guardians_of(user):
        people_services.guardian_update_contacts(guardian=guardian, actor=user, email=user.email)
    audit.record(
        action="contacts.email_confirmed",
        actor=user,
        obj=user,
        before={"email": before},
        after={"email": user.email},
    )
    return user.email
