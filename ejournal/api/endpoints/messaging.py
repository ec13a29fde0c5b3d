"""Messages and announcements of the current school (``messaging.selectors``)."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router

from ejournal.accounts.permissions import deny
from ejournal.api.auth import ApiRequest, school_of
from ejournal.api.endpoints.common import attachment_out, today_of
from ejournal.api.errors import error_responses, not_found
from ejournal.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate, paginate_list
from ejournal.api.schemas import AnnouncementPage, ConversationDetailOut, ConversationPage
from ejournal.diary import selectors as diary_selectors
from ejournal.messaging import selectors as messaging

router = Router(tags=["Сообщения и объявления"])


def _conversation(c, user) -> dict:
    return {
        "id": c.pk,
        "subject": c.subject,
        "last_message_at": c.last_message_at,
        "unread": getattr(c, "unread", 0),
        # Pseudonymisation renames the student's account too, so str(user) is safe.
        "participants": [str(p.user) for p in c.participants.all() if p.user_id != user.pk],
    }


@router.get(
    "/conversations",
    response={200: ConversationPage, **error_responses()},
    summary="Мои переписки, новые сверху",
)
def conversations(
    request: ApiRequest,
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    school = school_of(request)
    qs = messaging.inbox(user=request.user, school=school)
    return paginate(
        qs,
        key=[("last_message_at", True), ("id", True)],
        cursor=cursor,
        limit=limit,
        render=lambda c: _conversation(c, request.user),
    )


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetailOut, **error_responses()},
    summary="Переписка с сообщениями",
)
def conversation(request: ApiRequest, conversation_id: int):
    school = school_of(request)
    found = messaging.conversation_for(
        user=request.user, school=school, conversation_id=conversation_id
    )
    if found is None:
        raise not_found()
    # Unread counted from the prefetched rows, as the inbox counts it (no extra query).
    mine = next((p for p in found.participants.all() if p.user_id == request.user.pk), None)
    read_at = mine.last_read_at if mine else None
    unread = sum(
        1
        for m in found.messages.all()
        if m.sender_id != request.user.pk and (read_at is None or m.created_at > read_at)
    )
    return {
        **_conversation(found, request.user),
        "unread": unread,
        "messages": [
            {
                "id": m.pk,
                "sender": str(m.sender) if m.sender_id else "",
                "body": m.body,
                "created_at": m.created_at,
                "student": m.student.full_name if m.student is not None else None,
                "attachments": [attachment_out(a) for a in m.attachments.all()],
            }
            for m in found.messages.all()
        ],
    }


@router.get(
    "/announcements",
    response={200: AnnouncementPage, **error_responses()},
    summary="Объявления, действующие сегодня",
)
def announcements(
    request: ApiRequest,
    student_id: int | None = None,
    date: dt.date | None = None,
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    """Staff see every announcement of the school; families those of the school and of
    their children's grades and classes (``student_id``: of one child only)."""
    student = None
    if student_id is not None:
        student = next(
            (s for s in diary_selectors.family_students(request.user) if s.pk == student_id),
            None,
        )
        if student is None:
            raise deny()
        school = student.school
    else:
        school = school_of(request)
    day = date or today_of(school)
    items = messaging.announcements_for(user=request.user, school=school, day=day, student=student)
    return paginate_list(
        items,
        key=lambda a: (a.publish_from, a.pk),
        descending=True,
        cursor=cursor,
        limit=limit,
        render=lambda a: {
            "id": a.pk,
            "title": a.title,
            "body": a.body,
            "audience": a.audience,
            "grade": a.grade,
            "class_name": str(a.school_class) if a.school_class_id else None,
            "publish_from": a.publish_from,
            "publish_until": a.publish_until,
            "attachments": [attachment_out(x) for x in a.attachments.all()],
        },
    )
