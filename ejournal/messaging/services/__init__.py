"""Writes of messaging: conversations, messages, teacher comments, announcements, events.

Each validates with a Russian message, runs in one transaction, is audited and notifies the
recipients through ``notifications.services.notify`` (sent only if the transaction commits).

Split by subject: conversations (messages, replies, teacher comments, the school's
messaging settings), announcements, events (and their results); _common holds
attachments and notifying.
"""

from ejournal.messaging.services._common import (
    MAX_ATTACHMENTS,
    MAX_RECIPIENTS,
)
from ejournal.messaging.services.announcements import (
    announcement_create,
    announcement_delete,
)
from ejournal.messaging.services.conversations import (
    conversation_mark_read,
    conversation_start,
    message_reply,
    messaging_settings_save,
    teacher_comment_send,
)
from ejournal.messaging.services.events import (
    event_create,
    event_result_set,
)

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_RECIPIENTS",
    "conversation_mark_read",
    "conversation_start",
    "message_reply",
    "messaging_settings_save",
    "teacher_comment_send",
    "announcement_create",
    "announcement_delete",
    "event_create",
    "event_result_set",
]
