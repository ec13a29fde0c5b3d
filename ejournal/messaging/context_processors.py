from __future__ import annotations


def unread_messages(request) -> dict:
    """``messaging_unread`` for the nav: one COUNT query, run only if the template uses it."""
    user = getattr(request, "user", None)
    ctx = getattr(request, "ctx", None)
    if user is None or ctx is None or not user.is_authenticated:
        return {}

    def count() -> int:
        school = ctx.school
        if school is None:
            return 0
        from ejournal.messaging.selectors import unread_count

        return unread_count(user=user, school=school)

    return {"messaging_unread": count}
