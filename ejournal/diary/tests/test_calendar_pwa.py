import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from ejournal.diary.models import CalendarFeed
from ejournal.journal.models import Homework
from ejournal.schedule.models import LessonStatus

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def feed_url(client):
    client.post(reverse("diary:calendar"), {"action": "renew"})
    token = CalendarFeed.objects.get().token
    return reverse("diary:ical", kwargs={"token": token})


def test_ical_feed_has_lessons_and_homework_of_own_child_only(dw, client_for, today, world):
    tomorrow = TODAY + dt.timedelta(days=1)
    lesson = dw.lesson(tomorrow, 2, room="14")
    dw.lesson(tomorrow, 3, status=LessonStatus.CANCELLED)
    Homework.objects.create(lesson=lesson, text="Решить, №5; и №6", due_date=tomorrow)
    from ejournal.testing import factories as f

    other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
    f.make_lesson(
        other_group, f.SubjectFactory(school=world.school, name="Химия"), dw.teacher, tomorrow
    )

    client = client_for("parent")
    url = feed_url(client)
    body = client_for("anonymous").get(url).content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Математика (Пётр)" in body
    # 10:00 Moscow time is 07:00 UTC.
    assert f"DTSTART:{tomorrow:%Y%m%d}T070000Z" in body
    assert "LOCATION:каб. 14" in body
    assert "STATUS:CANCELLED" in body
    assert "Решить\\, №5\\; и №6" in body
    assert "Химия" not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_renewing_the_feed_revokes_the_old_address_and_revoke_closes_it(dw, client_for, today):
    client = client_for("student")
    old = feed_url(client)
    new = feed_url(client)
    anonymous = client_for("anonymous")
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    client.post(reverse("diary:calendar"), {"action": "revoke"})
    assert anonymous.get(new).status_code == 404
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize(
    "role,status",
    [("parent", 200), ("student", 200), ("teacher", 404), ("admin", 404), ("outsider", 404)],
)
def test_calendar_page_is_for_families(dw, client_for, role, status):
    assert client_for(role).get(reverse("diary:calendar")).status_code == status


def test_feed_of_a_deactivated_user_is_closed(dw, client_for, today, world):
    url = feed_url(client_for("parent"))
    world.users["parent"].is_active = False
    world.users["parent"].save()
    assert client_for("anonymous").get(url).status_code == 404


def test_manifest_icons_offline_page_and_service_worker(dw, client_for):
    import json
    from pathlib import Path

    manifest = json.loads(Path(finders.find("diary/manifest.webmanifest")).read_text("utf-8"))
    assert manifest["start_url"] == "/diary/"
    for icon in manifest["icons"]:
        data = Path(finders.find(f"diary/{icon['src']}")).read_bytes()
        size = int(icon["sizes"].split("x")[0])
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == size
    anonymous = client_for("anonymous")
    offline = anonymous.get(reverse("diary:offline"))
    assert offline.status_code == 200
    assert "Нет соединения" in offline.content.decode()
    sw = anonymous.get(reverse("diary:service_worker"))
    assert sw["Content-Type"] == "application/javascript"
    assert "/diary/offline/" in sw.content.decode()
    week = client_for("parent").get(reverse("diary:week", args=[world_child(dw)]))
    assert "manifest.webmanifest" in week.content.decode()


def world_child(dw):
    return dw.w.child.pk


def test_the_manifest_is_linked_for_families_and_served_as_a_manifest(world, client_for):
    import mimetypes

    from whitenoise.middleware import WhiteNoiseMiddleware

    for role in ("parent", "student"):
        page = client_for(role).get("/", follow=True).content.decode()
        assert '<link rel="manifest"' in page, role
    assert '<link rel="manifest"' not in client_for("teacher").get("/").content.decode()
    assert mimetypes.guess_type("x.webmanifest")[0] == "application/manifest+json"
    served = WhiteNoiseMiddleware(lambda request: None)
    assert served.media_types.get_type("diary/manifest.webmanifest") == "application/manifest+json"
