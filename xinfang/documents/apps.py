from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xinfang.documents"
    verbose_name = "文书与归档"

    def ready(self):
        from django.db.models.signals import post_save

        from xinfang.cases import outbox
        from xinfang.cases.models import Delivery
        from xinfang.cases.panels import register_panel
        from xinfang.documents import archive, panel, tasks  # noqa: F401  (tasks: the archive sweep's registration)

        register_panel("documents", panel.render)
        outbox.register(archive.CONSUMER, archive.on_case_event, description=archive.CONSUMER_DESCRIPTION)
        post_save.connect(_delivered, sender=Delivery, dispatch_uid="documents-delivered")


def _delivered(sender, instance, created, **kwargs):
    # The delivery is saved inside do_record_delivery's transaction: the document's state moves with it.
    if created and instance.event_id:
        from xinfang.documents.actions import mark_delivered

        mark_delivered(instance)
