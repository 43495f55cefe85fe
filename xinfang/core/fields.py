"""Model fields shared by the apps."""

from typing import Any

from django.db import models

from xinfang.core import clock


class ClockDateTimeField(models.DateTimeField):
    """A DateTimeField whose auto_now / auto_now_add ask the clock seam (core.clock).

    Django's own ask django.utils.timezone.now(), so a case registered by an
    import "on 3 March 2024" would carry today's registration time.
    """

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
