"""Administering the escalation ladder, the red-card policy and the card register (Chinese admin)."""

from django.contrib import admin, messages

from xinfang.core.errors import DomainError
from xinfang.escalation.cards import revoke_card, scoped_cards
from xinfang.escalation.models import (
    AccountabilityCard,
    CardEvent,
    CardPolicy,
    EscalationRule,
    EscalationRuleSet,
    OrgEscalationRuleSet,
    SweepCursor,
)


class RuleInline(admin.TabularInline):
    model = EscalationRule
    extra = 0
    fields = [
        "code",
        "name",
        "clock",
        "timing",
        "days",
        "working",
        "to_handler",
        "to_unit_head",
        "to_routing_officer",
        "to_issuer",
        "to_leader",
        "kind",
        "record",
        "effective_from",
        "effective_to",
        "is_active",
    ]


@admin.register(EscalationRuleSet)
class EscalationRuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_national_default", "effective_from", "effective_to"]
    inlines = [RuleInline]


@admin.register(OrgEscalationRuleSet)
class OrgEscalationRuleSetAdmin(admin.ModelAdmin):
    list_display = ["org", "rule_set", "effective_from"]
    autocomplete_fields = ["org"]


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "rule_set", "describe", "kind", "record", "effective_from", "effective_to", "is_active"]
    list_filter = ["rule_set", "clock", "timing", "record", "is_active"]
    search_fields = ["name", "code"]

    @admin.display(description="时点")
    def describe(self, obj):
        return obj.describe()


@admin.register(CardPolicy)
class CardPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "yellow_count", "within_days", "effective_from", "effective_to", "is_active"]


class CardEventInline(admin.TabularInline):
    model = CardEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "actor_name", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="撤销所选问责记录（理由：管理后台撤销，须为督查员）")
def revoke_selected(modeladmin, request, queryset):
    reason = request.POST.get("revoke_reason") or "经督查员复核撤销"
    done = 0
    for card in queryset.filter(revoked_at__isnull=True):
        try:
            revoke_card(card.pk, actor=request.user, reason=reason)
            done += 1
        except DomainError as exc:
            messages.error(request, f"{card}：{exc.message}")
    if done:
        messages.success(request, f"已撤销 {done} 条问责记录。")


@admin.register(AccountabilityCard)
class AccountabilityCardAdmin(admin.ModelAdmin):
    list_display = ["org", "color", "reason", "case", "rule", "issued_at", "revoked_at"]
    list_filter = ["color", ("revoked_at", admin.EmptyFieldListFilter), "issued_at"]
    search_fields = ["org__name", "reason"]
    actions = [revoke_selected]
    inlines = [CardEventInline]
    readonly_fields = [f.name for f in AccountabilityCard._meta.fields]

    def get_queryset(self, request):
        # The register in the admin is the viewer's scope too; cards change only through the actions.
        return scoped_cards(request.user).select_related("org", "case", "rule")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SweepCursor)
class SweepCursorAdmin(admin.ModelAdmin):
    list_display = ["rule", "through_date", "max_pk", "swept_at", "last_items"]
    readonly_fields = ["rule", "through_date", "max_pk", "swept_at", "last_items"]

    def has_add_permission(self, request):
        return False
