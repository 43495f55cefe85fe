"""我要写信: the letter, the mobile number confirmed by an SMS code, a last look, the receipt.

The steps keep their state in the portal's session (server side): the SMS
code's digest, the confirmed number's hash, the checked letter (its ID and
mobile numbers encrypted, its password already hashed), and, once, the
receipt with the query code. Nothing personal travels in hidden fields.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.shortcuts import redirect

from xinfang.cases.attachments import ACCEPT, max_mb, sniff_all
from xinfang.cases.models import Category
from xinfang.core import clock
from xinfang.core.masking import mask_id_number, mask_phone
from xinfang.petitioners import crypto
from xinfang.portal import captcha, credentials, limits, periods, sms
from xinfang.portal.forms import SubmissionForm
from xinfang.portal.models import Mailbox, Submission, SubmissionFile, submission_file_path
from xinfang.portal.views import page, portal_view

DRAFT = "portal_draft"
SMS = "portal_sms"
PHONE_OK = "portal_phone_ok"
RECEIPT = "portal_receipt"
CODE_TRIES = 5
MAX_FILES = 5  # files on one letter (each within settings.ATTACHMENT_MAX_BYTES)

CODE_SENT = "验证码已发送至{}，{}分钟内有效"
CODE_NOT_SENT = "验证码短信发送失败，请稍后再试"
CODE_FIRST = "请先点“获取验证码”，再填写收到的验证码"
CODE_EXPIRED = "验证码已过期，请重新获取"
CODE_USED_UP = "验证码错误次数过多，请重新获取"
CODE_WRONG = "短信验证码不正确，请核对"
CODE_EMPTY = "请填写短信验证码"


def _minutes() -> int:
    return settings.PORTAL_SMS_CODE_MINUTES


@portal_view
def write(request):
    if not Mailbox.objects.filter(is_active=True).exists():
        return page(request, "portal/closed.html")
    message, captcha_error = None, ""
    if request.method == "POST":
        form = SubmissionForm(request.POST)
        if "send_code" in request.POST:
            # After repeated failures from this address a code is sent only past the captcha (no SMS bombing).
            if captcha.needed(request) and not captcha.passed(request, request.POST.get("captcha", "")):
                form.full_clean()
                form._errors = {}  # the captcha is the one thing to fix before a code is sent
                captcha_error = captcha.WRONG
            else:
                message = _send_code(request, form)
        elif form.is_valid() and _code_ok(request, form):
            _keep_draft(request, form)
            return redirect("portal:write_confirm")
    else:
        form = SubmissionForm(initial=_draft_initial(request))
    context = {"form": form, "message": message, "captcha": captcha.needed(request), "captcha_error": captcha_error}
    return page(request, "portal/write.html", context)


def _send_code(request, form) -> dict:
    """Send a confirmation code to the typed mobile number; only that field's error is shown."""
    form.full_clean()
    phone_errors = form.errors.get("phone")
    form._errors = {"phone": phone_errors} if phone_errors else {}  # the rest is checked on 下一步
    if phone_errors:
        return {"level": "error", "text": phone_errors[0]}
    phone = form.cleaned_data["phone"]
    ip = limits.client_ip(request)
    allowed = limits.allow(
        limits.Limit("sms-gap", phone, 1, settings.PORTAL_SMS_GAP_SECONDS),
        limits.Limit("sms-phone", phone, settings.PORTAL_SMS_PER_PHONE_HOUR, 3600),
        limits.Limit("sms-ip", ip, settings.PORTAL_SMS_PER_IP_HOUR, 3600),
    )
    if not allowed:
        return {"level": "error", "text": limits.BUSY}
    code = credentials.new_sms_code()
    phone_hash = crypto.hash_value(phone)
    until = clock.now() + timedelta(minutes=_minutes())
    request.session[SMS] = {
        "phone": phone_hash,
        "digest": credentials.sms_code_digest(code, phone_hash),
        "until": until.isoformat(),
        "tries": 0,
    }
    key = f"portal-code:{phone_hash[:16]}:{until.timestamp():.0f}"
    if not sms.send(phone, sms.code_text(code, _minutes()), key):
        return {"level": "error", "text": CODE_NOT_SENT}
    return {"level": "ok", "text": CODE_SENT.format(mask_phone(phone), _minutes())}


def _code_ok(request, form) -> bool:
    """The typed number was confirmed by the code sent to it (once per session and number)."""
    phone_hash = crypto.hash_value(form.cleaned_data["phone"])
    if request.session.get(PHONE_OK) == phone_hash:
        return True
    sent = request.session.get(SMS)
    typed = form.cleaned_data.get("sms_code", "")
    error = None
    if not sent or sent.get("phone") != phone_hash:
        error = CODE_FIRST
    elif datetime.fromisoformat(sent["until"]) < clock.now():
        error = CODE_EXPIRED
    elif sent["tries"] >= CODE_TRIES:
        error = CODE_USED_UP
    elif not typed.strip():
        error = CODE_EMPTY
    elif not credentials.same(credentials.sms_code_digest(typed, phone_hash), sent["digest"]):
        sent["tries"] += 1
        request.session[SMS] = sent
        error = CODE_WRONG if sent["tries"] < CODE_TRIES else CODE_USED_UP
        captcha.failed(request)
    if error:
        form.add_error("sms_code", error)
        return False
    request.session[PHONE_OK] = phone_hash
    request.session.pop(SMS, None)
    return True


def _keep_draft(request, form) -> None:
    d = form.cleaned_data
    request.session[DRAFT] = {
        "mailbox": d["mailbox"].pk,
        "name": d["name"],
        "id_number": crypto.encrypt(d["id_number"]),
        "phone": crypto.encrypt(d["phone"]),
        "sms_consent": d["sms_consent"],
        "address": d["address"].strip(),
        "division_code": d["division_code"],
        "kind": d["kind"],
        "category": d["category"].pk,
        "place_name": d["place_name"],
        "accused_name": d["accused_name"].strip(),
        "title": d["title"].strip(),
        "content": d["content"],
        "password": form.password_hash(),
    }


def _draft_initial(request) -> dict:
    """Back from the last look to change something: the form as it was (not the password or code)."""
    draft = request.session.get(DRAFT)
    if not draft:
        return {}
    initial = {k: v for k, v in draft.items() if k not in ("password", "id_number", "phone")}
    initial["id_number"] = crypto.decrypt(draft["id_number"])
    initial["phone"] = crypto.decrypt(draft["phone"])
    return initial


@portal_view
def confirm(request):
    draft = request.session.get(DRAFT)
    mailbox = Mailbox.objects.filter(pk=(draft or {}).get("mailbox"), is_active=True).select_related("org").first()
    if not draft or mailbox is None:
        return redirect("portal:write")
    if request.method == "POST":
        if "edit" in request.POST:
            return redirect("portal:write")
        if captcha.needed(request) and not captcha.passed(request, request.POST.get("captcha", "")):
            return _confirm_page(request, draft, mailbox, captcha_error=captcha.WRONG, status=422)
        files = [f for f in request.FILES.getlist("files") if f]
        sniffed, errors = sniff_all(files)
        if len(files) > MAX_FILES:
            errors.insert(0, f"最多上传{MAX_FILES}个文件")
        if not errors:
            return _submit(request, draft, mailbox, sniffed)
        return _confirm_page(request, draft, mailbox, files_error="；".join(errors), status=422)
    return _confirm_page(request, draft, mailbox)


def _confirm_page(request, draft, mailbox, *, files_error: str = "", captcha_error: str = "", status: int = 200):
    category = Category.objects.select_related("parent").filter(pk=draft["category"]).first()
    context = {
        "draft": draft,
        "mailbox": mailbox,
        "category": category,
        "kind_label": dict(getattr(SubmissionForm.base_fields["kind"], "choices", ())).get(draft["kind"], ""),
        "id_masked": mask_id_number(crypto.decrypt(draft["id_number"])),
        "phone_masked": mask_phone(crypto.decrypt(draft["phone"])),
        "steps": periods.next_steps(mailbox.org, clock.today()),
        "accept": ACCEPT,
        "max_mb": max_mb(),
        "max_files": MAX_FILES,
        "files_error": files_error,
        "captcha": captcha.needed(request),
        "captcha_error": captcha_error,
    }
    return page(request, "portal/confirm.html", context, status=status)


def _submit(request, draft, mailbox, sniffed):
    id_number, phone = crypto.decrypt(draft["id_number"]), crypto.decrypt(draft["phone"])
    ip = limits.client_ip(request)
    allowed = limits.allow(
        limits.Limit("submit-ip", ip, settings.PORTAL_SUBMITS_PER_IP_DAY, 86400),
        limits.Limit("submit-id", id_number, settings.PORTAL_SUBMITS_PER_ID_DAY, 86400),
    )
    if not allowed:
        captcha.failed(request)
        return page(request, "portal/busy.html", {"message": limits.BUSY}, status=429)
    code = credentials.new_query_code()
    with transaction.atomic():
        submission = Submission(
            mailbox=mailbox,
            name=draft["name"],
            sms_consent=draft["sms_consent"],
            address=draft.get("address", ""),
            division_code=draft.get("division_code", ""),
            kind=draft["kind"],
            category_id=draft["category"],
            place_name=draft["place_name"],
            accused_name=draft["accused_name"],
            title=draft["title"],
            content=draft["content"],
            query_code_hash=credentials.query_code_hash(code),
            password=draft["password"],
        )
        submission.set_identity(id_number, phone)
        submission.save()
        _keep_files(submission, sniffed)
        transaction.on_commit(lambda: sms.send(phone, sms.receipt_text(code), f"portal-receipt:{submission.pk}"))
    for key in (DRAFT, PHONE_OK):
        request.session.pop(key, None)
    request.session[RECEIPT] = {"pk": submission.pk, "code": code}
    return redirect("portal:write_done")


def _keep_files(submission, sniffed) -> None:
    """Record the letter's checked files until the clerk registers it (then they go to the case).

    As with the staff's uploads (cases.attachments.store_attachments), the rows
    are made now and the bytes are held in an anonymous temporary file until the
    submission commits: a submit that rolls back leaves no file in storage (a
    scan of an ID card no row points at), because its on_commit write is dropped.
    """
    for upload, mime in sniffed:
        digest = hashlib.sha256()
        held = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 — closed by _write_file
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
            held.write(chunk)
        upload.seek(0)
        row = SubmissionFile(
            submission=submission,
            original_name=upload.name[:200],
            content_type=mime,
            size=upload.size,
            sha256=digest.hexdigest(),
        )
        row.file.name = submission_file_path(row, upload.name)
        row.save()
        transaction.on_commit(partial(_write_file, row.pk, row.file.name, held))


def _write_file(pk: int, name: str, held) -> None:
    try:
        storage = SubmissionFile._meta.get_field("file").storage
        held.seek(0)
        saved = storage.save(name, File(held, name=name))
        if saved != name:  # the storage renamed it (a file of that name was left there before)
            SubmissionFile.objects.filter(pk=pk).update(file=saved)
    finally:
        held.close()


@portal_view
def done(request):
    """The receipt, shown once: the query code is in the session until this page shows it."""
    receipt = request.session.pop(RECEIPT, None)
    submission = Submission.objects.filter(pk=(receipt or {}).get("pk")).select_related("mailbox").first()
    if receipt is None or submission is None:
        return page(request, "portal/receipt_gone.html", status=410)
    return page(request, "portal/receipt.html", {"submission": submission, "code": receipt["code"]})
