"""Demo step: the demo administrator, director and deputy sign in with a code too, from
an authenticator app set up with the public demo key below (documented in the README;
or from a shell: ``oathtool --totp -b JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP``).

A real deployment never has such a key: its users enrol their own phones at first sign-in.
"""

from __future__ import annotations

from base64 import b32decode

from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_TWO_FACTOR_LOGINS = ("admin", "director", "deputy")


def demo_totp_key_hex() -> str:
    return b32decode(DEMO_TOTP_SECRET).hex()


def create_demo_two_factor(build) -> None:
    TOTPDevice.objects.bulk_create(
        [
            TOTPDevice(
                user=build.demo_profiles[login].user,
                name="Демо-ключ",
                key=demo_totp_key_hex(),
                confirmed=True,
            )
            for login in DEMO_TWO_FACTOR_LOGINS
            if getattr(build.demo_profiles.get(login), "user", None) is not None
        ]
    )
