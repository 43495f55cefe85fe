"""The petitioner register (信访人): people and organisations who petition.

Sensitive identifiers (ID number, phone numbers) are never stored in plain
text (DESIGN §1 principle 3). Each one is kept three ways:

* ``*_enc``: a FieldCipher token, decrypted only by ``access.reveal`` (which
  writes an audit event) and by key rotation;
* ``*_hash``: a keyed HMAC of the *normalised* value, indexed, so "has this
  ID number / phone petitioned before?" is an exact indexed lookup without
  decrypting anything;
* ``*_masked``: the masked form, so lists and detail pages never decrypt.

Nothing in this module decides who may read a petitioner; that is
``xinfang.petitioners.access``. Views never use ``Petitioner.objects``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.core import idnumbers
from xinfang.core.fields import ClockDateTimeField
from xinfang.core.masking import mask_id_number, mask_phone
from xinfang.core.phones import normalize_phone
from xinfang.petitioners import crypto


class PetitionerKind(models.TextChoices):
    PERSON = "person", "个人"
    ORGANISATION = "organisation", "单位"


class Sex(models.TextChoices):
    # Values match xinfang.core.idnumbers.sex().
    MALE = "M", "男"
    FEMALE = "F", "女"


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "手机"
    LANDLINE = "landline", "固定电话"
    SERVICE = "service", "服务热线"


class Petitioner(models.Model):
    kind = models.CharField("类型", max_length=12, choices=PetitionerKind.choices, default=PetitionerKind.PERSON)
    name = models.CharField("姓名/名称", max_length=100)

    # Person identity. Optional on purpose: an anonymous letter or a visitor
    # without their card must still be registered (DESIGN §1 principle 1).
    id_number_enc = models.TextField("身份证号码（密文）", blank=True, editable=False)
    id_number_hash = models.CharField("身份证号码查询哈希", max_length=64, blank=True, editable=False)
    id_masked = models.CharField("身份证号码", max_length=18, blank=True, editable=False)
    # Derived from the ID number. Only the birth *year* is kept (enough for
    # age-band statistics), so the register holds no more than it needs.
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)

    address = models.CharField("住址", max_length=200, blank=True)
    division_code = models.CharField(
        "住址行政区划代码",
        max_length=12,
        blank=True,
        db_index=True,
        help_text="6 位（县级及以上）、9 位（乡镇）或 12 位（村）",
    )

    # Organisations. The unified social credit code is public, so it is plain.
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    uscc_checksum_ok = models.BooleanField("信用代码校验通过", default=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)

    # db_index=False: the (org, -created_at) index below serves org lookups too.
    org = models.ForeignKey(
        "orgs.Org", verbose_name="登记单位", on_delete=models.PROTECT, related_name="petitioners", db_index=False
    )
    # PROTECT: staff are deactivated, not deleted, so this keeps who registered
    # whom (and the ASSIGNED data scope keyed on it) intact.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = ClockDateTimeField("登记时间", auto_now_add=True)
    updated_at = ClockDateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Exact-match columns are indexed in Meta rather than with db_index,
            # which on PostgreSQL adds a second, useless LIKE index per column.
            models.Index(fields=["id_number_hash"], name="petitioner_id_hash"),
            models.Index(fields=["uscc"], name="petitioner_uscc"),
            # varchar_pattern_ops lets PostgreSQL serve `name LIKE '张%'` from the
            # index whatever the database collation; other backends ignore opclasses.
            models.Index(fields=["name"], name="petitioner_name_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["org", "-created_at"], name="petitioner_org_recent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_person(self) -> bool:
        return self.kind == PetitionerKind.PERSON

    def set_id_number(self, raw: str) -> None:
        """Store an ID number (any accepted spelling) encrypted, hashed and masked.

        Normalises first (15 → 18 digits, full-width, lower-case x), so every
        spelling hashes alike; raises ``IdNumberError`` for an invalid number.
        An empty value clears the number and what was derived from it.
        """
        if not (raw or "").strip():
            self.id_number_enc = self.id_number_hash = self.id_masked = ""
            self.sex, self.birth_year = "", None
            return
        number = idnumbers.normalize_id_number(raw)
        self.id_number_enc = crypto.encrypt(number)
        self.id_number_hash = crypto.hash_value(number)
        self.id_masked = mask_id_number(number)
        self.sex = idnumbers.sex(number)
        self.birth_year = int(number[6:10])

    @property
    def has_id_number(self) -> bool:
        return bool(self.id_number_enc)

    def decrypt_id_number(self) -> str:
        """Plain ID number. Call only from ``access.reveal`` or maintenance code."""
        return crypto.decrypt(self.id_number_enc)

    # Templates must never decrypt: Django's template engine refuses to call
    # methods marked alters_data, so `{{ p.decrypt_id_number }}` renders empty.
    # mypy does not model attributes set on a function; Django reads this one off the method.
    decrypt_id_number.alters_data = True  # type: ignore[attr-defined]

    def phone_list(self) -> list[PetitionerPhone]:
        # Uses a prefetch when there is one (lists prefetch "phones").
        return list(self.phones.all())


class PetitionerPhone(models.Model):
    """One phone number of a petitioner.

    A child table rather than fixed columns because people give several
    numbers (their own, a relative's, a landline) and each must be findable
    by exact lookup; one hash column per number keeps that a single index.
    """

    # db_index=False: the unique (petitioner, number_hash) constraint indexes it.
    petitioner = models.ForeignKey(
        Petitioner, verbose_name="信访人", on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    kind = models.CharField("类型", max_length=10, choices=PhoneKind.choices)
    number_enc = models.TextField("号码（密文）", editable=False)
    number_hash = models.CharField("号码查询哈希", max_length=64, editable=False)
    masked = models.CharField("号码", max_length=20, editable=False)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "联系电话"
        verbose_name_plural = "联系电话"
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["number_hash"], name="petitioner_phone_hash")]
        constraints = [
            models.UniqueConstraint(fields=["petitioner", "number_hash"], name="unique_petitioner_phone"),
        ]

    def __str__(self):
        return self.masked

    def set_number(self, raw: str) -> None:
        """Store a phone number normalised, encrypted, hashed and masked; raises ``PhoneError``."""
        phone = normalize_phone(raw)
        self.kind = phone.kind
        self.number_enc = crypto.encrypt(phone.number)
        self.number_hash = crypto.hash_value(phone.number)
        self.masked = mask_phone(phone.number)

    def decrypt_number(self) -> str:
        return crypto.decrypt(self.number_enc)

    decrypt_number.alters_data = True  # type: ignore[attr-defined]  # see Petitioner.decrypt_id_number


class PetitionerShare(models.Model):
    """Another org in the same jurisdiction that uses a registered petitioner.

    A petitioner belongs to the org that registered them. When a clerk of a
    county petition bureau registers an ID number that a township under the
    same county government already registered, the existing record is used
    rather than a second one created (``services.register_or_reuse``); this
    row is what lets the bureau's staff see and use that record from then
    on, exactly as if the bureau had registered it. It is written only on
    proof of the full ID number (matched by its keyed hash) and records who
    matched it and when.
    """

    petitioner = models.ForeignKey(Petitioner, verbose_name="信访人", on_delete=models.CASCADE, related_name="shares")
    org = models.ForeignKey("orgs.Org", verbose_name="共用单位", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = ClockDateTimeField("共用时间", auto_now_add=True)

    class Meta:
        verbose_name = "信访人共用单位"
        verbose_name_plural = "信访人共用单位"
        constraints = [models.UniqueConstraint(fields=["petitioner", "org"], name="unique_petitioner_share")]
        indexes = [models.Index(fields=["org"], name="petitioner_share_org")]

    def __str__(self):
        return f"{self.org} 共用 信访人#{self.petitioner_id}"
