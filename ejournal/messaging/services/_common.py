"""What messaging writes share: attachments, clean bodies, notifying the recipients after
commit."""

from __future__ import annotations

import functools
import html

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from ejournal.accounts.models import User
from ejournal.core import registry
from ejournal.core.uploads import validate_upload
from ejournal.messaging.models import (
    Attachment,
)
from ejournal.messaging.rich_text import sanitise
from ejournal.notifications.models import Event as NotifyEvent
from ejournal.notifications.services import notify

MAX_ATTACHMENTS = 5


MAX_RECIPIENTS = 2000


def _attach(*, school, uploads, message=None, announcement=None) -> list[Attachment]:
    uploads = list(uploads or [])
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(f"Можно приложить не больше {MAX_ATTACHMENTS} файлов.")
    checked = [(u, validate_upload(u)) for u in uploads]
    made = []
    for upload, c in checked:
        attachment = Attachment(
            school=school,
            message=message,
            announcement=announcement,
            original_name=c.name,
            content_type=c.content_type,
            size=c.size,
        )
        attachment.file.save(c.storage_name, upload, save=False)
        attachment.save()
        made.append(attachment)
    return made


def _clean_body(body: str) -> str:
    clean = sanitise(body)
    if not clean:
        raise ValidationError("Напишите текст сообщения.")
    if len(clean) > 20000:
        raise ValidationError("Сообщение слишком длинное (не больше 20 000 знаков).")
    return clean


NOTIFIED_TEXT_LIMIT = 500  # the message's text in a notification (the rest on the page)


def message_text(message) -> str:
    """The message as plain text for an e-mail, an SMS or a push: tags dropped, entities
    read, whitespace folded, cut at ``NOTIFIED_TEXT_LIMIT``."""
    text = " ".join(html.unescape(strip_tags(message.body)).split())
    if len(text) > NOTIFIED_TEXT_LIMIT:
        text = text[: NOTIFIED_TEXT_LIMIT - 1].rstrip() + "…"
    return text


def _notify_recipients(*, conversation, message, users, sender) -> None:
    url = f"/messages/{conversation.pk}/"
    body = f"{sender}: {conversation.subject}\n\n{message_text(message)}"
    for user in users:
        notify(
            user=user,
            school=conversation.school,
            event=NotifyEvent.MESSAGE,
            subject=f"Новое сообщение: {conversation.subject}",
            body=body,
            url=url,
        )


def _notify_users(*, school, user_ids, subject: str, url: str) -> None:
    """Through each user's notification preferences (sent only if the transaction commits).
    Announcements and events use the «сообщение» kind of notification."""
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        notify(
            user=user,
            school=school,
            event=NotifyEvent.MESSAGE,
            subject=subject,
            body=subject,
            url=url,
        )


def _after_sent(*, school_id: int, sender_id: int, recipients: int) -> None:
    """Tamper detection (an app above this one: ``registry.MESSAGE_SENT``) watches new
    conversations, after commit."""
    sent_at = timezone.now()
    for listener in registry.MESSAGE_SENT.providers():
        transaction.on_commit(
            functools.partial(
                listener,
                school_id=school_id,
                sender_id=sender_id,
                recipients=recipients,
                sent_at=sent_at,
            )
        )
