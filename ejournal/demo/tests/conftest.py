# The demo steps are tested on the worlds their apps' tests already build.
from ejournal.attestation.tests.conftest import aw
from ejournal.planning.tests.conftest import pw

__all__ = ["aw", "pw"]
