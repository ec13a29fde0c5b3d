from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_now(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)
