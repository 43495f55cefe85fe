"""查询办理进度 by ID number and SMS code: every letter that person wrote from that mobile number.

The code goes only to a number some letter was confirmed with for that ID
number, but the page says the same whether or not one exists, and a code
for no letter is checked against a digest of a code never sent: the
answers tell nothing about who has written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.shortcuts import redirect

from xinfang.core import clock
from xinfang.core.masking import mask_phone
from xinfang.petitioners import crypto
from xinfang.portal import captcha, credentials, limits, sms
from xinfang.portal.forms import IdentityTrackForm
from xinfang.portal.models import Submission
from xinfang.portal.projection import PLAIN, read_case
from xinfang.portal.views import page, portal_view
from xinfang.portal.views_submit import CODE_EMPTY, CODE_EXPIRED, CODE_TRIES, CODE_USED_UP, CODE_WRONG
from xinfang.portal.views_track import SIGNED_IN

CHALLENGE = "portal_track_sms"
MINE = "portal_mine"
SENT = "如该身份证号码有从{}写的来信，验证码已发送到该手机，{}分钟内有效"
FIRST = "请先点“获取验证码”"


def _theirs(id_hash: str, phone_hash: str):
    return Submission.objects.filter(id_number_hash=id_hash, phone_hash=phone_hash)


@portal_view
def by_identity(request):
    form = IdentityTrackForm(request.POST or None)
    message, captcha_error = None, ""
    posted = request.method == "POST" and form.is_valid()
    if posted and captcha.needed(request) and not captcha.passed(request, request.POST.get("captcha", "")):
        captcha_error = captcha.WRONG
    if posted and not captcha_error:
        id_hash = crypto.hash_value(form.cleaned_data["id_number"])
        phone = form.cleaned_data["phone"]
        phone_hash = crypto.hash_value(phone)
        if "send_code" in request.POST:
            message = _send(request, id_hash, phone, phone_hash)
        else:
            error = _verify(request, id_hash, phone_hash, form.cleaned_data["sms_code"])
            if error is None:
                request.session.cycle_key()
                request.session[MINE] = list(_theirs(id_hash, phone_hash).values_list("pk", flat=True))
                return redirect("portal:track_mine")
            captcha.failed(request)
            form.add_error("sms_code", error)
    context = {"form": form, "message": message, "captcha": captcha.needed(request), "captcha_error": captcha_error}
    return page(request, "portal/track_by_identity.html", context)


def _send(request, id_hash: str, phone: str, phone_hash: str) -> dict:
    ip = limits.client_ip(request)
    allowed = limits.allow(
        limits.Limit("sms-gap", phone, 1, settings.PORTAL_SMS_GAP_SECONDS),
        limits.Limit("sms-phone", phone, settings.PORTAL_SMS_PER_PHONE_HOUR, 3600),
        limits.Limit("sms-ip", ip, settings.PORTAL_SMS_PER_IP_HOUR, 3600),
        limits.Limit("track-id", id_hash, settings.PORTAL_SMS_PER_PHONE_HOUR, 3600),
    )
    if not allowed:
        return {"level": "error", "text": limits.BUSY}
    code = credentials.new_sms_code()
    until = clock.now() + timedelta(minutes=settings.PORTAL_SMS_CODE_MINUTES)
    key = f"{id_hash}:{phone_hash}"
    request.session[CHALLENGE] = {
        "who": crypto.hash_value(key),
        "digest": credentials.sms_code_digest(code, key),
        "until": until.isoformat(),
        "tries": 0,
    }
    if _theirs(id_hash, phone_hash).exists():
        text = sms.code_text(code, settings.PORTAL_SMS_CODE_MINUTES)
        sms.send(phone, text, f"portal-track-code:{phone_hash[:16]}:{until.timestamp():.0f}")
    return {"level": "ok", "text": SENT.format(mask_phone(phone), settings.PORTAL_SMS_CODE_MINUTES)}


def _verify(request, id_hash: str, phone_hash: str, typed: str) -> str | None:
    key = f"{id_hash}:{phone_hash}"
    sent = request.session.get(CHALLENGE)
    if not sent or sent["who"] != crypto.hash_value(key):
        return FIRST
    if datetime.fromisoformat(sent["until"]) < clock.now():
        return CODE_EXPIRED
    if sent["tries"] >= CODE_TRIES:
        return CODE_USED_UP
    if not typed.strip():
        return CODE_EMPTY
    if not credentials.same(credentials.sms_code_digest(typed, key), sent["digest"]):
        sent["tries"] += 1
        request.session[CHALLENGE] = sent
        return CODE_WRONG if sent["tries"] < CODE_TRIES else CODE_USED_UP
    request.session.pop(CHALLENGE, None)
    return None


@portal_view
def mine(request):
    """The letters of the person who proved their ID and mobile number; one is opened like a query code."""
    allowed = request.session.get(MINE)
    if allowed is None:
        return redirect("portal:track_by_identity")
    if request.method == "POST":
        pk = request.POST.get("submission", "")
        if pk.isdigit() and int(pk) in allowed:
            request.session[SIGNED_IN] = int(pk)
            return redirect("portal:track_view")
    rows = []
    for letter in Submission.objects.filter(pk__in=allowed).select_related("mailbox").order_by("-submitted_at"):
        # The case as the petitioner may read it (a person writes a few letters: a few reads each).
        _actor, case = read_case(letter)
        rows.append({"s": letter, "state": PLAIN.get(case.status, "") if case is not None else "已提交，等待登记"})
    return page(request, "portal/track_mine.html", {"rows": rows})
