"""The tracked-item contract the escalation ladder reads (xinfang.supervision.tracked)."""

import pytest

from xinfang.cases.states import Action, TrackedAction
from xinfang.supervision.models import OPEN
from xinfang.supervision.tracked import TRACKED

CONTRACT_FIELDS = {"case", "status", "owed_by_org", "issued_org", "issued_by", "version", "opened_at", "closed_at"}


def test_the_kinds_and_their_date_fields():
    assert {code: (k.model.__name__, k.date_field) for code, k in TRACKED.items()} == {
        "supervision": ("SupervisionItem", "due_on"),
        "supervision_report": ("SupervisionItem", "next_report_on"),
        "urging": ("UrgingSlip", "reply_by"),
        "instruction": ("Instruction", "commit_by"),
    }
    assert all(k.label for k in TRACKED.values())


@pytest.mark.parametrize("code", sorted(TRACKED))
def test_every_model_has_the_contract_fields(code):
    model = TRACKED[code].model
    names = {f.name for f in model._meta.get_fields()}
    assert names >= CONTRACT_FIELDS
    assert model._meta.get_field("status").default == OPEN
    assert model._meta.get_field("version").default == 1


@pytest.mark.parametrize("code", sorted(TRACKED))
def test_the_date_field_has_a_partial_index_over_open_rows(code):
    kind = TRACKED[code]
    indexes = [i for i in kind.model._meta.indexes if i.fields == [kind.date_field]]
    assert indexes and indexes[0].condition is not None


def test_app_actions_are_kept_apart_from_the_workflow():
    assert not set(TrackedAction.values) & set(Action.values)
    assert all(len(v) <= 24 for v in TrackedAction.values)
