"""Runs in a separate virtualenv with the unmodified ``netschoolapi`` 11.0.5 from PyPI.

Usage: python netschool_client_script.py URL LOGIN PASSWORD SCHOOL WEEK_START
Prints one JSON line per phase; between the phases it waits for a line on stdin (the test
expires the session on the server meanwhile).
"""

import asyncio
import dataclasses
import datetime as dt
import io
import json
import sys

from netschoolapi import NetSchoolAPI, errors


def emit(phase, **data):
    print(json.dumps({"phase": phase, **data}, default=str, ensure_ascii=False), flush=True)


def plain(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


async def main(url, login, password, school, week_start):
    start = dt.date.fromisoformat(week_start)
    # A loaded CI machine may answer slower than the client's default of 5 s.
    api = NetSchoolAPI(url, default_requests_timeout=60)
    logins = 0
    real_login = api.login

    async def counting_login(*args, **kwargs):
        nonlocal logins
        logins += 1
        if logins > 5:
            raise RuntimeError("endless re-login")
        return await real_login(*args, **kwargs)

    api.login = counting_login
    await api.login(login, password, school)
    diary = await api.diary(start=start)
    overdue = await api.overdue(start=start)
    announcements = await api.announcements()
    card = await api.school()
    files = {}
    for day in diary.schedule:
        for lesson in day.lessons:
            for assignment in lesson.assignments:
                found = await api.attachments(assignment.id)
                if found:
                    files[assignment.id] = plain(found)
                    buffer = io.BytesIO()
                    await api.download_attachment(found[0].id, buffer)
                    files[assignment.id][0]["size"] = len(buffer.getvalue())
    photo = io.BytesIO()
    await api.download_profile_picture(1, photo)
    emit(
        "read",
        student_id=api._student_id,
        diary=plain(diary),
        overdue=plain(overdue),
        announcements=plain(announcements),
        school=plain(card),
        attachments=files,
        photo_bytes=len(photo.getvalue()),
        logins=logins,
    )

    wrong = NetSchoolAPI(url, default_requests_timeout=60)
    try:
        await wrong.login(login, password + "x", school)
    except errors.AuthError as exc:
        emit("wrong_password", raised="AuthError", message=str(exc))
    else:
        emit("wrong_password", raised=None)
    await wrong._wrapped_client.client.aclose()

    emit("waiting")
    sys.stdin.readline()
    before = logins
    again = await asyncio.wait_for(api.diary(start=start), timeout=120)
    emit("after_expiry", relogins=logins - before, diary=plain(again))
    await api.full_logout()
    emit("done")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
