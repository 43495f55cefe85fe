import json
import re

import pytest

from xinfang.core.idnumbers import check_digit
from xinfang.portal.models import Mailbox

PHONE = "13812348000"
OTHER_PHONE = "13912349000"


def id_number(first17: str = "33078119850615123") -> str:
    return first17 + check_digit(first17)


@pytest.fixture
def mailbox(cast):
    return Mailbox.objects.create(name="清河县信访局", org=cast.bureau, description="反映清河县的问题")


@pytest.fixture
def sms_log(tmp_path, settings):
    """The SMS file gateway writes here; ``sms_log.sent()`` reads its lines."""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")

    class Log:
        path = tmp_path / "sms.log"

        def sent(self) -> list[dict]:
            if not self.path.exists():
                return []
            return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines()]

        def last_code(self) -> str:
            return re.search(r"验证码是(\d{6})", self.sent()[-1]["text"]).group(1)

    return Log()


@pytest.fixture
def category(db):
    from xinfang.cases.models import Category

    return Category.objects.get(code="0201")  # 城乡建设 / 物业管理


def letter(mailbox, category, **changes) -> dict:
    data = {
        "name": "张三",
        "id_number": id_number(),
        "phone": PHONE,
        "sms_code": "",
        "mailbox": str(mailbox.pk),
        "kind": "claim",
        "category": str(category.pk),
        "place_name": "清河县东岗镇前村",
        "accused_name": "",
        "title": "小区电梯长期停运无人维修",
        "content": "我住的小区3号楼电梯停运两个月，物业公司一直不修，请有关部门督促解决。",
        "sms_consent": "on",
        "address": "",
        "division_code": "",
        "password1": "qinghe-2026",
        "password2": "qinghe-2026",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def write(client, mailbox, category, sms_log):
    """Fill the letter, confirm the mobile number with the SMS code, and reach the last look."""

    def _write(**changes):
        data = letter(mailbox, category, **changes)
        client.post("/portal/write/", {**data, "send_code": "1"})
        response = client.post("/portal/write/", {**data, "sms_code": sms_log.last_code(), "next": "1"})
        assert response.status_code == 302, response.content.decode()
        assert response["Location"] == "/portal/write/confirm/"
        return response

    return _write


@pytest.fixture
def submit(client, write, sms_log):
    """Write and submit a letter; returns the query code shown on the receipt."""

    def _submit(**changes):
        write(**changes)
        response = client.post("/portal/write/confirm/", {"submit": "1"})
        assert response["Location"] == "/portal/write/done/"
        receipt = client.get("/portal/write/done/")
        return re.search(r'<p class="code">([0-9A-Z-]+)</p>', receipt.content.decode()).group(1)

    return _submit


@pytest.fixture
def flow(cast):
    from xinfang.devdata.flow import Flow

    return Flow(cast)


@pytest.fixture
def staff(cast):
    """A second browser for the staff site, logged in as ``staff(user)``."""
    from django.test import Client

    def _staff(user):
        c = Client()
        c.force_login(user)
        return c

    return _staff


def registration_post(submission, **changes) -> dict:
    """The registration form as the letter fills it, as the clerk sends it back."""
    from xinfang.core import clock

    data = {
        "channel": "online",
        "received_at": clock.localtime(submission.submitted_at).strftime("%Y-%m-%dT%H:%M"),
        "kind": submission.kind,
        "category": str(submission.category_id),
        "urgency": "normal",
        "importance": "normal",
        "person_count": "1",
        "place_code": "",
        "place_name": submission.place_name,
        "summary": submission.title,
        "content": submission.content,
        "referring_org": "",
        "referring_ref": "",
        "leader_instruction": "",
        "accused_name": submission.accused_name,
        "accused_org": "",
        "do": "register",
    }
    data.update(changes)
    return data
