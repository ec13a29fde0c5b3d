import pytest

from ejournal.diary.tests.conftest import DiaryWorld


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NOTIFICATION_FILE_DIR = str(tmp_path / "gateways")


@pytest.fixture
def dw(world):
    for role in ("parent", "student", "other_parent"):
        user = world.users[role]
        user.email = f"{role}@example.ru"
        user.save()
    return DiaryWorld(world)
