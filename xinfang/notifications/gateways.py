"""SMS gateways: the interface and its two implementations, and e-mail through Django's backends.

``SMS_BACKEND`` chooses the SMS gateway:

* ``file`` (default): one JSON line per message appended to ``SMS_FILE_PATH``
  (``var/sms/sms.log``), the number masked; ``console`` writes the same line
  to standard output. Offline: nothing leaves the machine.
* ``http``: ``HttpSmsGateway`` posts each message to ``SMS_HTTP_URL`` with the
  body ``SMS_HTTP_BODY_TEMPLATE`` (``$to``, ``$text``, ``$key`` are replaced by
  JSON-escaped values), basic credentials ``SMS_HTTP_USERNAME`` /
  ``SMS_HTTP_PASSWORD`` or a bearer ``SMS_HTTP_TOKEN``, and the delivery's
  key in the ``Idempotency-Key`` header. A 2xx answer is sent; 408, 429 and
  5xx, a timeout or a refused connection are retried; any other 4xx fails
  for good.
* a dotted path to a class with the same ``send(message) -> str`` method.

The phone number is masked in everything written here (files, logs, errors);
only the HTTP request to the gateway itself carries it.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from xinfang.core import clock
from xinfang.core.masking import mask_phone


@dataclass(frozen=True)
class SmsMessage:
    to: str  # the full number: for the gateway only, never for a log
    text: str
    key: str  # the delivery's dedupe key

    @property
    def to_masked(self) -> str:
        return mask_phone(self.to)


class GatewayError(Exception):
    """A message the gateway did not take; ``retryable`` says whether to try again later."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class SmsGateway(Protocol):
    name: str

    def send(self, message: SmsMessage) -> str:
        """Send one message; return the gateway's reference, or raise ``GatewayError``."""
        ...


_write_lock = threading.Lock()


class FileSmsGateway:
    """Append each message as a JSON line (number masked) to a file, or to standard output."""

    name = "file"

    def __init__(self, path: str | Path | None = None):
        self.path = None if path == "-" else Path(path or settings.SMS_FILE_PATH)

    def line(self, message: SmsMessage) -> str:
        record = {"at": clock.now().isoformat(), "key": message.key, "to": message.to_masked, "text": message.text}
        return json.dumps(record, ensure_ascii=False)

    def send(self, message: SmsMessage) -> str:
        line = self.line(message) + "\n"
        if self.path is None:
            sys.stdout.write(line)
            sys.stdout.flush()
            return "console"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _write_lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)
        return "file"


class ConsoleSmsGateway(FileSmsGateway):
    name = "console"

    def __init__(self, path=None):
        super().__init__("-")


class HttpSmsGateway:
    """An HTTP SMS gateway whose URL, credentials and body template are settings."""

    name = "http"

    def __init__(
        self,
        url: str | None = None,
        *,
        body_template: str | None = None,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
    ):
        self.url = url or settings.SMS_HTTP_URL
        if not self.url:
            raise GatewayError("未配置短信网关地址（SMS_HTTP_URL）", retryable=False)
        self.template = Template(body_template or settings.SMS_HTTP_BODY_TEMPLATE)
        self.username = settings.SMS_HTTP_USERNAME if username is None else username
        self.password = settings.SMS_HTTP_PASSWORD if password is None else password
        self.token = settings.SMS_HTTP_TOKEN if token is None else token
        self.timeout = settings.SMS_HTTP_TIMEOUT if timeout is None else timeout

    def body(self, message: SmsMessage) -> bytes:
        def js(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)[1:-1]  # escaped, without the quotes

        return self.template.substitute(to=js(message.to), text=js(message.text), key=js(message.key)).encode()

    def send(self, message: SmsMessage) -> str:
        request = urllib.request.Request(  # noqa: S310 — the URL is the administrator's setting
            self.url,
            data=self.body(message),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.key},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        elif self.username:
            pair = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {pair}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(2000).decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            retryable = err.code in (408, 429) or err.code >= 500
            raise GatewayError(f"短信网关返回 HTTP {err.code}", retryable=retryable) from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise GatewayError(f"无法连接短信网关：{type(reason).__name__}", retryable=True) from None
        return _reference(answer)


def _reference(answer: str) -> str:
    try:
        data = json.loads(answer)
    except ValueError:
        return answer.strip()[:100]
    if isinstance(data, dict):
        for name in ("id", "message_id", "msgid", "ref"):
            if data.get(name):
                return str(data[name])[:100]
    return ""


BACKENDS = {"file": FileSmsGateway, "console": ConsoleSmsGateway, "http": HttpSmsGateway}


def sms_gateway() -> SmsGateway:
    choice = settings.SMS_BACKEND
    cls = BACKENDS.get(choice) or import_string(choice)
    return cls()
