from django.apps import AppConfig


class PetitionersConfig(AppConfig):
    name = "xinfang.petitioners"
    verbose_name = "信访人"
