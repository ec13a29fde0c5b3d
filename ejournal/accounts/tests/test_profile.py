import pytest

from ejournal.core import registry
from ejournal.testing.registry import providers_set
from ejournal.testing.world import WORLD_ROLES

ROLES = [r for r in WORLD_ROLES if r not in ("other_parent", "outsider")]


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_sees_own_profile(client_for, role, world):
    response = client_for(role).get("/profile/")
    assert response.status_code == 200
    assert world.users[role].username in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client_for):
    response = client_for("anonymous").get("/profile/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_profile_lists_sections_registered_by_apps(client_for, monkeypatch):
    providers_set(
        monkeypatch,
        registry.PROFILE_SECTIONS,
        lambda request: {"title": "Раздел X", "text": "", "url": "/x/"},
        lambda request: None,
    )
    body = client_for("parent").get("/profile/").content.decode()
    assert "Раздел X" in body
