from django.contrib import admin

from xinfang.portal.models import Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "is_leader_mailbox", "is_active", "sort")
    list_filter = ("is_active", "is_leader_mailbox")
    list_editable = ("is_active", "sort")
