"""Two-factor login for staff: a TOTP authenticator app (django-otp), optional unless required.

A staff member who enrolled a device gives its six-digit code after the
password at every login. With ``TWO_FACTOR_REQUIRED`` on, administrators
(the ADMINISTRATOR role, or access to the admin) and the roles that may
reveal personal data (``REVEAL_ROLES``) must enrol: their login asks for a
device before it lets them in, and a session of theirs that was not
verified (from before the setting was turned on) is ended.

Enrolment shows the key as a QR code drawn on the server (an inline SVG) and
as text to type; nothing leaves the intranet. Every enrolment, removal and
wrong code is in the security audit log.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.orgs.audit import record
from xinfang.orgs.models import REVEAL_ROLES, AuditAction, Role

TWO_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR}) | REVEAL_ROLES
DEVICE_NAME = "验证器"

CODE_FORMAT = "请输入验证器上显示的6位数字验证码。"
CODE_WRONG = "验证码不正确，请重新输入。"
CODE_THROTTLED = "验证码错误次数过多，请稍等片刻再试。"


def requires_two_factor(user) -> bool:
    """Whether the settings make this user enrol (TWO_FACTOR_REQUIRED and an administrator or reveal role)."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return bool(user.is_superuser or user.is_staff or user.role_set() & TWO_FACTOR_ROLES)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def needs_second_step(user) -> bool:
    """Whether a correct password is not yet enough to log in: a device to verify, or one to enrol."""
    return confirmed_device(user) is not None or requires_two_factor(user)


def setup_device(user, device_id: int | None = None) -> TOTPDevice:
    """The unconfirmed device being enrolled (kept across the enrolment's requests), or a new one."""
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
        if device is not None:
            return device
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// key as a QR code, an inline SVG (no script, no style attribute)."""
    svg = segno.make(device.config_url, error="l").svg_inline(
        scale=5,
        omitsize=True,  # a viewBox, so the stylesheet sets its size
        svgclass="qr",
        lineclass=None,
        title="两步验证二维码：用验证器扫描",
        dark="#000",
        light="#fff",
    )
    # segno's own markup: path data and our constant title, no text from a person.
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="两步验证二维码" ', 1))  # noqa: S308


def manual_key(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an authenticator by hand."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def check_code(device: TOTPDevice, code: str) -> str | None:
    """None when the code is right; otherwise the reason in Chinese. Wrong codes slow further tries."""
    code = "".join(str(code or "").split())
    if not (code.isdigit() and len(code) == device.digits):
        return CODE_FORMAT
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _why = locked.verify_is_allowed()
        if not allowed:
            return CODE_THROTTLED
        if locked.verify_token(code):
            device.refresh_from_db()
            return None
    return CODE_WRONG


def record_failure(user, request, reason: str) -> None:
    record(AuditAction.TWO_FACTOR_FAILED, actor=user, request=request, target=user.get_username(), detail=reason)


def confirm(device: TOTPDevice, *, request=None) -> None:
    """Make an enrolled device the user's one device, and audit it."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(
            AuditAction.TWO_FACTOR_ENABLED,
            actor=device.user,
            request=request,
            target=device.user.get_username(),
            detail="启用两步验证（验证器）",
        )


def remove(user, *, actor, request=None, detail: str) -> int:
    """Remove the user's devices (the user, or an administrator's reset), and audit it."""
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    if count:
        record(AuditAction.TWO_FACTOR_DISABLED, actor=actor, request=request, target=user.get_username(), detail=detail)
    return count
