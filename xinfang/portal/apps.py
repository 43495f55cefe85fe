from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "xinfang.portal"
    verbose_name = "网上信访门户"

    def ready(self):
        # The letters' ID and mobile numbers are FieldCipher tokens too: key rotation must re-encrypt
        # them, or dropping an old key would leave them unreadable.
        from xinfang.petitioners.crypto import ENCRYPTED_COLUMNS
        from xinfang.portal.models import Submission

        for column in ((Submission, "id_number_enc"), (Submission, "phone_enc")):
            if column not in ENCRYPTED_COLUMNS.extra:
                ENCRYPTED_COLUMNS.extra.append(column)
