import re
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from ejournal.demo.builder.two_factor import demo_totp_key_hex


@pytest.mark.django_db
def test_demo_code_prints_a_code_the_demo_device_accepts(world):
    device = TOTPDevice.objects.create(
        user=world.users["deputy"], name="Демо-ключ", key=demo_totp_key_hex(), confirmed=True
    )
    out = StringIO()
    call_command("demo_code", stdout=out)
    code = re.search(r"(\d{6}) \(действует", out.getvalue()).group(1)
    assert device.verify_token(code)
