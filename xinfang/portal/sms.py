"""The portal's text messages, sent through the notifications' SMS gateway (numbers masked in every log)."""

from __future__ import annotations

import logging

from django.conf import settings

from xinfang.core.masking import mask_phone
from xinfang.notifications.gateways import GatewayError, SmsMessage, sms_gateway

log = logging.getLogger("xinfang.portal")


def send(phone: str, text: str, key: str) -> bool:
    """Send one message now; False (logged with the number masked) if the gateway did not take it."""
    try:
        sms_gateway().send(SmsMessage(to=phone, text=text, key=key))
    except GatewayError as exc:
        log.warning("portal SMS %s to %s not sent: %s", key, mask_phone(phone), exc)
        return False
    log.info("portal SMS %s sent to %s", key, mask_phone(phone))
    return True


def code_text(code: str, minutes: int) -> str:
    return f"【{settings.PORTAL_TITLE}】您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。"


def receipt_text(query_code: str) -> str:
    return (
        f"【{settings.PORTAL_TITLE}】您的来信已提交，查询码：{query_code}。"
        "请凭查询码和您设置的查询密码查询办理进度，查询码请勿告诉他人。"
    )
