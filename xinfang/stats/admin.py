"""Administering the ranking's scoring schemes (Chinese admin): items and vetoes inline, assignments to orgs."""

from django.contrib import admin

from xinfang.stats.models import OrgScoringScheme, ScoringItem, ScoringScheme, ScoringVeto


class ItemInline(admin.TabularInline):
    model = ScoringItem
    extra = 0
    fields = ["metric", "weight", "full_at", "zero_at", "if_no_data", "sort"]


class VetoInline(admin.TabularInline):
    model = ScoringVeto
    extra = 0
    fields = ["name", "metric", "op", "threshold"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default", "effective_from", "effective_to", "full_score"]
    search_fields = ["name", "code"]
    inlines = [ItemInline, VetoInline]

    @admin.display(description="满分")
    def full_score(self, obj):
        return sum(item.weight for item in obj.items.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("items")


@admin.register(OrgScoringScheme)
class OrgScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["org", "scheme", "effective_from"]
    autocomplete_fields = ["org"]
