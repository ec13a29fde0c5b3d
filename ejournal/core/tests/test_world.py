import pytest

from ejournal.testing.world import WORLD_ROLES


@pytest.mark.django_db
def test_world_roles_name_every_user_of_the_test_world(world):
    assert sorted(world.users) == sorted(WORLD_ROLES)
