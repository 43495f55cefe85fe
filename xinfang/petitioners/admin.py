"""The petitioner register in the admin: masked values only.

Encrypted and hash columns are not editable here at all: changing an ID or
phone number must go through the normalise-encrypt-hash path
(``services.register_petitioner`` / ``Petitioner.set_id_number``), and the
admin never decrypts. Which rows an admin user sees goes through the same
access layer as every other page.
"""

from django import forms
from django.contrib import admin

from xinfang.core import clock
from xinfang.core.uscc import UsccError, validate_uscc
from xinfang.petitioners.access import scoped_petitioners
from xinfang.petitioners.models import Petitioner, PetitionerPhone


class PetitionerPhoneInline(admin.TabularInline):
    model = PetitionerPhone
    fields = ("masked", "kind", "position")
    readonly_fields = ("masked", "kind")
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False  # a number must be encrypted and hashed: use the registration page


class PetitionerAdminForm(forms.ModelForm):
    class Meta:
        model = Petitioner
        fields = ("kind", "name", "org", "uscc", "legal_representative", "address", "division_code")

    def clean_uscc(self):
        # Keep the checksum flag in step with the code an admin corrects.
        raw = self.cleaned_data.get("uscc") or ""
        if not raw.strip():
            self.instance.uscc_checksum_ok = True
            return ""
        try:
            result = validate_uscc(raw)
        except UsccError as error:
            raise forms.ValidationError(error.message) from None
        self.instance.uscc_checksum_ok = result.checksum_ok
        return result.code


@admin.register(Petitioner)
class PetitionerAdmin(admin.ModelAdmin):
    form = PetitionerAdminForm
    list_display = ("name", "kind", "id_masked", "masked_phones", "uscc", "org", "created_at")
    list_filter = ("kind", "org__level")
    search_fields = ("name", "uscc")
    date_hierarchy = "created_at"
    inlines = [PetitionerPhoneInline]
    autocomplete_fields = ("org",)
    readonly_fields = (
        "id_masked",
        "sex",
        "uscc_checksum_ok",
        "created_by",
        "created_at",
        "updated_at",
        "shared_with",
    )
    fieldsets = (
        (None, {"fields": ("kind", "name", "org")}),
        # No birth year beside the masked number: with the region and the last four digits it
        # narrows the number to a few dozen candidates (the masking rule shows no more than it says).
        ("个人", {"fields": ("id_masked", "sex")}),
        ("单位", {"fields": ("uscc", "uscc_checksum_ok", "legal_representative")}),
        ("住址", {"fields": ("address", "division_code")}),
        ("登记", {"fields": ("created_by", "created_at", "updated_at", "shared_with")}),
    )

    @admin.display(description="共用单位")
    def shared_with(self, obj):
        # Orgs in the same jurisdiction that registered this ID number again and use this record.
        shares = obj.shares.select_related("org", "created_by").order_by("created_at")
        rows = [f"{s.org}（{s.created_by.display_name}，{clock.local_date(s.created_at)}）" for s in shares]
        return "；".join(rows) or "—"

    @admin.display(description="联系电话")
    def masked_phones(self, obj):
        return "、".join(phone.masked for phone in obj.phones.all()) or "—"

    def get_queryset(self, request):
        return scoped_petitioners(request.user).select_related("org").prefetch_related("phones")

    def has_add_permission(self, request):
        # Registration validates, normalises and encrypts; the admin form cannot.
        return False
