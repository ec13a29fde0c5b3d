import pytest

from ejournal.diary.tests.conftest import DiaryWorld


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def dw(world):
    for role in ("parent", "student", "other_parent"):
        user = world.users[role]
        user.email = f"{role}@example.ru"
        user.save()
    return DiaryWorld(world)


@pytest.fixture
def sms_gateway(settings):
    """A real HTTP SMS gateway on 127.0.0.1, configured as the school's."""
    from ejournal.testing import sms_gateway

    state, server = sms_gateway.start()
    settings.SMS_GATEWAY_URL = state.url()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def push_service(settings):
    """A real Web Push service on 127.0.0.1; the product's VAPID key made for the test."""
    from py_vapid import Vapid

    from ejournal.notifications import push
    from ejournal.testing import push_service

    key = Vapid()
    key.generate_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key.private_pem().decode()
    settings.WEBPUSH_ALLOW_LOCAL = True  # the test's push service runs on 127.0.0.1
    push.vapid.cache_clear()
    state, server = push_service.start()
    yield state
    server.shutdown()
    server.server_close()
    push.vapid.cache_clear()
