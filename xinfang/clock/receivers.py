"""Keep stored deadlines in step with calendar and rule edits, wherever they are made.

Model signals rather than admin hooks, so an edit from the admin, the shell or
a data fix all recompute the same way. ``clock import`` and ``clock seed``
wrap their many row changes in ``services.calendar_changes()`` so they cause
one recompute, not one per row.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from xinfang.clock import services
from xinfang.clock.models import CalendarDay, CalendarYear, ClockRule, LocalTarget


def _changed(instance, field: str) -> set:
    values = {getattr(instance, field)}
    old = instance.loaded_value(field)
    if old is not None:
        values.add(old)  # an entry moved to another date affects both
    return values


def _remember(instance, field: str) -> None:
    # The next save of this same instance must compare against what is stored now.
    instance._loaded = {**getattr(instance, "_loaded", {}), field: getattr(instance, field)}


@receiver(post_save, sender=CalendarDay, dispatch_uid="clock_calendar_day_saved")
def calendar_day_saved(sender, instance, **kwargs):
    # Stored on the instance so the admin can tell the user how many moved.
    instance.recomputed = services.calendar_changed(_changed(instance, "date"))
    _remember(instance, "date")


@receiver(post_delete, sender=CalendarDay, dispatch_uid="clock_calendar_day_deleted")
def calendar_day_deleted(sender, instance, **kwargs):
    instance.recomputed = services.calendar_changed({instance.date})


@receiver(post_save, sender=CalendarYear, dispatch_uid="clock_calendar_year_saved")
def calendar_year_saved(sender, instance, **kwargs):
    instance.recomputed = services.calendar_changed(_changed(instance, "year"))
    _remember(instance, "year")


@receiver(post_delete, sender=CalendarYear, dispatch_uid="clock_calendar_year_deleted")
def calendar_year_deleted(sender, instance, **kwargs):
    instance.recomputed = services.calendar_changed({instance.year})


@receiver(post_save, sender=ClockRule, dispatch_uid="clock_rule_saved")
def clock_rule_saved(sender, instance, **kwargs):
    instance.recomputed = services.apply_rule_change(instance)


@receiver(post_save, sender=LocalTarget, dispatch_uid="clock_target_saved")
def local_target_saved(sender, instance, **kwargs):
    instance.recomputed = services.apply_target_change(instance)


@receiver(post_delete, sender=LocalTarget, dispatch_uid="clock_target_deleted")
def local_target_deleted(sender, instance, **kwargs):
    instance.recomputed = services.apply_target_change(instance, deleted=True)
