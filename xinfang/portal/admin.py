from django.contrib import admin

from xinfang.portal.models import GuideSection, Mailbox, ReceptionDay


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "is_leader_mailbox", "is_active", "sort")
    list_filter = ("is_active", "is_leader_mailbox")
    list_editable = ("is_active", "sort")


@admin.register(GuideSection)
class GuideSectionAdmin(admin.ModelAdmin):
    list_display = ("title", "topic", "sort", "effective_from", "effective_to")
    list_filter = ("topic",)
    list_editable = ("sort",)


@admin.register(ReceptionDay)
class ReceptionDayAdmin(admin.ModelAdmin):
    list_display = ("on", "hours", "leader", "place")
    date_hierarchy = "on"
