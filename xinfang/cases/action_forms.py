"""The case page's action forms, generated from the action specs (cases.spec).

One form class serves every action: its fields are the spec's inputs
(``cases.inputs``), plus the case ``version`` it was opened on, which goes to
the action as ``expected_version`` (optimistic locking). The form only
parses; the action decides. An action's refusal with a ``field`` is shown at
that field (mapped from the action's keyword to the form's name), otherwise
at the top of the form, and everything typed is kept.
"""

from __future__ import annotations

from django import forms

from xinfang.cases.spec import ActionSpec
from xinfang.core.errors import DomainError


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, spec: ActionSpec, case, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec, self.case, self.actor = spec, case, actor
        for inp in spec.inputs:
            field = inp.form_field(case, actor)
            initial = inp.initial(case, actor)
            if initial is not None:
                field.initial = initial
            self.fields[inp.form_key] = field
        # Not "note": a form field may be called that (the template looks fields up first).
        self.spec_note = spec.note(case, actor) if spec.note else ""
        if not self.is_bound:
            self.initial.setdefault("version", case.version)

    @property
    def primary(self) -> bool:
        return self.spec.primary

    def _kwargs(self) -> dict:
        d = self.cleaned_data
        return {inp.name: inp.from_form(d.get(inp.form_key), self.case, self.actor) for inp in self.spec.inputs}

    def run(self):
        """Call the action with what was typed; raises the action's DomainError."""
        return self.spec.func(
            self.case, actor=self.actor, expected_version=self.cleaned_data["version"], **self._kwargs()
        )

    def show_error(self, err: DomainError) -> str | None:
        """Put the action's refusal at its field; returns it when it belongs at the top of the form."""
        key = next((i.form_key for i in self.spec.inputs if i.name == err.field), err.field)
        if key and key in self.fields and key != "version":
            self.add_error(key, err.message)
            return None
        return err.message


def action_form(spec: ActionSpec, case, actor, data=None) -> ActionForm:
    return ActionForm(data, spec=spec, case=case, actor=actor)
