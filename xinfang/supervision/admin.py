"""The Chinese admin: the listing and urging rules (data with effective dates); the items, read-only.

Items are written only by the actions (each also writes the case's history),
so the admin shows them and changes nothing. It shows who owes what by when,
not the petition's text: the reasons, reports and instructions are read on
the case page, through the access layer (accusations are not the
administrator's to read).
"""

from django.contrib import admin

from xinfang.supervision.models import Instruction, ListingRule, SupervisionItem, UrgingRule, UrgingSlip


@admin.register(ListingRule)
class ListingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "condition",
        "org",
        "level",
        "due_days",
        "report_every_days",
        "effective_from",
        "effective_to",
        "is_active",
    )
    list_filter = ("condition", "level", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("org",)

    def has_delete_permission(self, request, obj=None):
        return False  # items point at their rule: end a rule with 失效日期 or 启用 instead


@admin.register(UrgingRule)
class UrgingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "days_before", "reply_days", "effective_from", "effective_to", "is_active")
    list_filter = ("is_active",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


COMMON = ("case_number", "status", "owed_by_org", "issued_org", "issued_by", "version", "opened_at", "closed_at")


@admin.display(description="信访件")
def case_number(obj):
    return obj.case.number


@admin.register(SupervisionItem)
class SupervisionItemAdmin(ReadOnly):
    list_display = ("case_number", "kind", "status", "owed_by_org", "issued_org", "due_on", "next_report_on")
    list_filter = ("kind", "status")
    list_select_related = ("case", "owed_by_org", "issued_org")
    fields = (*COMMON, "kind", "due_on", "report_every_days", "next_report_on", "listing_rule", "escalated_from")
    readonly_fields = fields
    search_fields = ("case__number",)
    case_number = staticmethod(case_number)


@admin.register(UrgingSlip)
class UrgingSlipAdmin(ReadOnly):
    list_display = ("case_number", "target", "status", "owed_by_org", "issued_org", "reply_by")
    list_filter = ("target", "status")
    list_select_related = ("case", "owed_by_org", "issued_org")
    fields = (*COMMON, "target", "reply_by", "replied_at")
    readonly_fields = fields
    search_fields = ("case__number",)
    case_number = staticmethod(case_number)


@admin.register(Instruction)
class InstructionAdmin(ReadOnly):
    list_display = ("case_number", "status", "owed_by_org", "issued_by", "commit_by")
    list_filter = ("status",)
    list_select_related = ("case", "owed_by_org", "issued_by")
    fields = (*COMMON, "to_user", "commit_by", "reported_at")
    readonly_fields = fields
    search_fields = ("case__number",)
    case_number = staticmethod(case_number)
