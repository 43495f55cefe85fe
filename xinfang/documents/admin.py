from django.contrib import admin

from xinfang.documents.models import ArchiveVolume, Document, DocumentNumberPrefix, DocumentTemplate


@admin.register(DocumentNumberPrefix)
class DocumentNumberPrefixAdmin(admin.ModelAdmin):
    list_display = ("org", "kind", "prefix")
    list_filter = ("kind",)
    search_fields = ("org__name", "prefix")
    autocomplete_fields = ("org",)


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ("org", "kind", "file", "uploaded_at")
    list_filter = ("kind",)
    autocomplete_fields = ("org",)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are issued from the case page and never edited (a correction supersedes)."""

    list_display = ("number", "title", "case", "issuing_org", "state", "dated")
    list_filter = ("kind", "state")
    search_fields = ("number", "case__number", "title")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArchiveVolume)
class ArchiveVolumeAdmin(admin.ModelAdmin):
    """Read-only: volumes are built by the background worker; ask again on the case page."""

    list_display = ("case", "generated_at", "size", "sha256", "built", "wanted", "requested_at")
    search_fields = ("case__number", "sha256")
    readonly_fields = (
        "case",
        "wanted",
        "built",
        "requested_at",
        "file",
        "sha256",
        "size",
        "generated_at",
        "entries",
        "error",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
