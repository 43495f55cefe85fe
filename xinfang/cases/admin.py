from django.contrib import admin

from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Case, CaseEvent, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "is_active", "sort")
    list_filter = ("is_active", "parent")
    search_fields = ("code", "name")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "action", "actor", "from_status", "to_status", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: every change to a case goes through a workflow action."""

    list_display = ("number", "summary", "status", "current_org", "due_date")
    list_filter = ("status", "channel", "kind")
    search_fields = ("number", "summary")
    inlines = [CaseEventInline]
    readonly_fields = [f.name for f in Case._meta.fields]

    def get_queryset(self, request):
        # The admin is no back door: it lists what the access layer lets this person read.
        return scoped_cases(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
