"""Signals the clock app sends to the apps that own deadlines."""

from django.dispatch import Signal

# Sent after recompute_deadlines() changed stored dates, with
# ``owner_type_ids: dict[int, list[int]]`` (content type id → owner object
# ids), so owners that denormalise a due date (cases) can refresh it in bulk.
deadlines_recomputed = Signal()
