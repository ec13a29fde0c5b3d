import pytest

from ejournal.core import registry
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


def section_x(request):
    return {"title": "Раздел X", "text": "", "url": "/x/"}


def section_not_for_this_person(request):
    return None


def test_profile_lists_sections_registered_by_apps(client_for, monkeypatch):
    here = __name__
    point = registry.ExtensionPoint[registry.ProfileSection](
        name="profile_sections",
        protocol=registry.ProfileSection,
        asked_by="accounts",
        paths=(f"{here}.section_x", f"{here}.section_not_for_this_person"),
    )
    monkeypatch.setattr(registry, "PROFILE_SECTIONS", point)
    body = client_for("parent").get("/profile/").content.decode()
    assert "Раздел X" in body
