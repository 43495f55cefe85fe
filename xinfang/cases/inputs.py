"""The typed inputs of an action, declared once in its spec (cases.spec).

Each input knows how to be a field of the case page's form, a field of the
API's request schema (and so of the OpenAPI document), and how to turn what
either surface received into the value the action function takes: an Org, a
User, a Case, a date, a choice. Neither surface decides anything: where a
case may be routed, who may handle it, how long an extension may be are the
action's rules, which the form only uses to offer sensible choices.

``name`` is the keyword of the ``do_*`` function and the ``field`` of the
errors it raises; ``form_name`` and ``api_name`` (default: ``name``) are what
the two surfaces call it (e.g. ``to_org`` is ``org`` on the form and
``to_org_id`` in JSON), and errors are mapped back to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from django import forms
from pydantic import AfterValidator, BeforeValidator
from pydantic import Field as SchemaField
from pydantic_core import PydanticCustomError

from xinfang.cases.errors import Invalid
from xinfang.cases.widgets import DATE, DATETIME
from xinfang.core import clock

Label = str | Callable[[Any, Any], str]  # a text, or f(case, actor) for one computed from the rules


# --- the API's bounds -------------------------------------------------------------
#
# Every value the API takes has limits in its OpenAPI document, so that no input reaches
# the database or date arithmetic it would overflow: an id above a BigAutoField's top
# names nothing (and SQLite and PostgreSQL refuse it), a date in year 1 or 9999 overflows
# when it is moved to UTC or has a period added. The form side keeps Django's own checks.

MAX_ID = 2**63 - 1
# The largest count an action stores (a PositiveSmallIntegerField); the rules cap it far lower.
MAX_COUNT = 32767
# Free text without a declared limit (a note, the facts of a reply): ample for a letter.
TEXT_MAX = 20000
# Orgs picked at once (co-units): more than any real assignment, fewer than a flood.
MAX_PICKS = 50
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)
DAY_RANGE = f"{FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()}"


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError(
        "date_range", "date out of range", {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
    )


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)


def _written(pattern: re.Pattern, error: str, example: str):
    """Only the ISO text: pydantic would also take a number of seconds since 1970 ("0")."""

    def check(value):
        if isinstance(value, str) and pattern.fullmatch(value.strip()):
            return value
        if isinstance(value, date):
            return value  # already parsed (a date or datetime from Python)
        raise PydanticCustomError(error, "not ISO 8601 ({example})", {"example": example})

    return BeforeValidator(check)


def _day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise _out_of_range()
    return value


def _moment_in_range(value: datetime) -> datetime:
    # By the year as written, before any time-zone arithmetic (which is what overflows).
    if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
        raise _out_of_range()
    return value


_DAY_LIMITS = {"formatMinimum": FIRST_DAY.isoformat(), "formatMaximum": LAST_DAY.isoformat()}
RowId = Annotated[int, SchemaField(ge=1, le=MAX_ID)]
BoundedDay = Annotated[
    date,
    _written(_ISO_DAY, "date_parsing", "2025-03-01"),
    AfterValidator(_day_in_range),
    SchemaField(json_schema_extra=_DAY_LIMITS),
]
BoundedMoment = Annotated[
    datetime,
    _written(_ISO_MOMENT, "datetime_parsing", "2025-03-01T09:30:00+08:00"),
    AfterValidator(_moment_in_range),
    SchemaField(json_schema_extra=_DAY_LIMITS),
]


def _text(value: Label, case, actor) -> str:
    return value(case, actor) if callable(value) else value


@dataclass(frozen=True)
class Input:
    name: str
    label: Label
    required: bool = True
    help: str = ""
    form_name: str = ""
    api_name: str = ""
    api_doc: str = ""

    @property
    def form_key(self) -> str:
        return self.form_name or self.name

    @property
    def api_key(self) -> str:
        return self.api_name or self.name

    def label_for(self, case, actor) -> str:
        return _text(self.label, case, actor)

    def doc(self) -> str:
        """The field's description in the OpenAPI document."""
        if self.api_doc:
            return self.api_doc
        return self.label if isinstance(self.label, str) else ""

    # --- the case page ------------------------------------------------------------

    def form_field(self, case, actor) -> forms.Field:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def required_message(self, case, actor) -> str:
        return f"请填写{self.label_for(case, actor)}"

    def from_form(self, value, case, actor):
        return value

    def initial(self, case, actor):
        return None

    # --- the API ----------------------------------------------------------------

    def annotation(self) -> tuple[Any, Any]:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def from_api(self, value, case, actor):
        return value


def _plain(label: str) -> str:
    """A label without its hint in brackets: "承办人（可稍后指定）" → "承办人"."""
    return label.split("（", 1)[0]


@dataclass(frozen=True)
class Text(Input):
    required: bool = False
    rows: int = 3
    max_length: int | None = None
    single_line: bool = False
    initial_from: Callable | None = None  # f(case, actor) -> str

    def form_field(self, case, actor):
        widget = forms.TextInput() if self.single_line else forms.Textarea(attrs={"rows": self.rows})
        return forms.CharField(
            label=self.label_for(case, actor),
            required=self.required,
            max_length=self.max_length,
            widget=widget,
            help_text=self.help,
            error_messages={"required": self.required_message(case, actor)},
        )

    def initial(self, case, actor):
        return self.initial_from(case, actor) if self.initial_from else None

    def annotation(self):
        limit = self.max_length or TEXT_MAX
        if self.required:
            return str, SchemaField(min_length=1, max_length=limit, description=self.doc())
        return str, SchemaField("", max_length=limit, description=self.doc())

    def from_api(self, value, case, actor):
        return value or ""


@dataclass(frozen=True)
class Choice(Input):
    enum: Any = None  # a TextChoices
    radio: bool = False
    choices_for: Callable | None = None  # f(case, actor) -> [(value, label)] offered on the form
    initial_from: Callable | None = None

    def required_message(self, case, actor) -> str:
        return f"请选择{_plain(self.label_for(case, actor))}"

    def form_field(self, case, actor):
        choices = self.choices_for(case, actor) if self.choices_for else list(self.enum.choices)
        if not self.radio:
            choices = [("", "—— 请选择 ——"), *choices] if self.required or not self.initial_from else choices
        return forms.ChoiceField(
            label=self.label_for(case, actor),
            required=self.required,
            choices=choices,
            widget=forms.RadioSelect if self.radio else forms.Select,
            help_text=self.help,
            error_messages={
                "required": self.required_message(case, actor),
                "invalid_choice": f"{_plain(self.label_for(case, actor))}的取值无效",
            },
        )

    def initial(self, case, actor):
        return self.initial_from(case, actor) if self.initial_from else None

    def annotation(self):
        choices = "；".join(f"{v}={lbl}" for v, lbl in self.enum.choices)
        desc = f"{self.doc()}：{choices}" if self.doc() else choices
        if self.required:
            return self.enum, SchemaField(description=desc)
        return self.enum | None, SchemaField(None, description=desc)

    def from_api(self, value, case, actor):
        return "" if value is None else str(value)

    def from_form(self, value, case, actor):
        return value or ""


@dataclass(frozen=True)
class Day(Input):
    default_today: bool = False

    def required_message(self, case, actor) -> str:
        return f"请填写{_plain(self.label_for(case, actor))}"

    def form_field(self, case, actor):
        return forms.DateField(
            label=self.label_for(case, actor),
            required=self.required,
            widget=DATE,
            help_text=self.help,
            error_messages={
                "required": self.required_message(case, actor),
                "invalid": "日期无效，应为“2024-01-31”的格式",
            },
        )

    def initial(self, case, actor):
        return clock.today() if self.default_today else None

    def annotation(self):
        doc = self.doc() + ("（不填为今天）" if self.default_today else "") + f"（{DAY_RANGE}）"
        if self.required and not self.default_today:
            return BoundedDay, SchemaField(description=doc)
        return BoundedDay | None, SchemaField(None, description=doc)


@dataclass(frozen=True)
class Moment(Input):
    def form_field(self, case, actor):
        return forms.DateTimeField(
            label=self.label_for(case, actor),
            required=self.required,
            widget=DATETIME,
            error_messages={
                "required": self.required_message(case, actor),
                "invalid": "时间无效，应为“2024-01-31 09:30”的格式",
            },
        )

    def initial(self, case, actor):
        return clock.localtime().replace(second=0, microsecond=0)

    def annotation(self):
        return BoundedMoment, SchemaField(description=f"{self.doc()}（不含时区时按北京时间；{DAY_RANGE}）")

    def from_api(self, value, case, actor):
        return clock.aware(value) if value is not None else None


@dataclass(frozen=True)
class Number(Input):
    min_value: int = 1
    max_for: Callable | None = None  # f(case, actor) -> int: shown on the form; the action enforces it
    initial_from: Callable | None = None
    api_doc_for: Callable | None = None  # f() -> str, computed when the OpenAPI document is built

    def form_field(self, case, actor):
        top = self.max_for(case, actor) if self.max_for else None
        label = self.label_for(case, actor)
        return forms.IntegerField(
            label=label,
            required=self.required,
            min_value=self.min_value,
            max_value=top,
            error_messages={
                "required": self.required_message(case, actor),
                "invalid": f"{_plain(label)}须为整数",
                "min_value": f"{_plain(label)}不能少于{self.min_value}",
                "max_value": f"{_plain(label)}不能超过{top}",
            },
        )

    def initial(self, case, actor):
        return self.initial_from(case, actor) if self.initial_from else None

    def doc(self) -> str:
        if self.api_doc_for:
            from django.utils.functional import lazy

            return lazy(self.api_doc_for, str)()  # computed when the OpenAPI document is built
        return super().doc()

    def annotation(self):
        return int, SchemaField(ge=self.min_value, le=MAX_COUNT, description=self.doc())


@dataclass(frozen=True)
class OrgPick(Input):
    """One org (or several, ``multiple``): offered by ``offered(case, actor)``, decided by the action.

    The form accepts any active org's id, so that a stale or crafted choice
    reaches the action and is refused there with the reason (the accused
    unit, outside the router's area), exactly as the API is.
    """

    multiple: bool = False
    offered: Callable | None = None  # f(case, actor) -> [(group label or None, [Org])]
    note_for: Callable | None = None  # f(case, actor) -> str shown under the field (what is left out and why)

    def required_message(self, case, actor) -> str:
        return f"请选择{_plain(self.label_for(case, actor))}"

    def _choices(self, case, actor):
        groups = self.offered(case, actor) if self.offered else []
        out: list = []
        for group, orgs in groups:
            items = [(o.pk, o.name) for o in orgs]
            if not items:
                continue
            if group:
                out.append((group, items))
            else:
                out.extend(items)
        return out

    def form_field(self, case, actor):
        label = self.label_for(case, actor)
        choices = self._choices(case, actor)
        errors = {"required": self.required_message(case, actor)}
        if self.multiple:
            field_ = forms.TypedMultipleChoiceField(
                label=label,
                required=self.required,
                coerce=int,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                error_messages=errors,
            )
        else:
            field_ = forms.TypedChoiceField(
                label=label,
                required=self.required,
                coerce=int,
                empty_value=None,
                choices=[("", "—— 请选择 ——"), *choices],
                error_messages=errors,
            )
        field_.valid_value = lambda value: str(value).isdigit()  # any id: the action decides
        return field_

    def _resolve(self, pk, case, actor):
        from xinfang.orgs.models import Org

        if pk in (None, ""):
            if self.required:
                raise Invalid(self.required_message(case, actor), field=self.name)
            return None
        org = Org.objects.filter(pk=pk, is_active=True).first()
        if org is None:
            raise Invalid(f"{_plain(self.label_for(case, actor))}不存在或已停用", field=self.name)
        return org

    def from_form(self, value, case, actor):
        if self.multiple:
            return [self._resolve(pk, case, actor) for pk in value or []]
        return self._resolve(value, case, actor)

    from_api = from_form

    def annotation(self):
        if self.multiple:
            return list[RowId], SchemaField(default_factory=list, max_length=MAX_PICKS, description=self.doc())
        if self.required:
            return RowId, SchemaField(description=self.doc())
        return RowId | None, SchemaField(None, description=self.doc())


@dataclass(frozen=True)
class UserPick(Input):
    offered: Callable | None = None  # f(case, actor) -> QuerySet[User]

    def required_message(self, case, actor) -> str:
        return f"请选择{_plain(self.label_for(case, actor))}"

    def form_field(self, case, actor):
        users = list(self.offered(case, actor)) if self.offered else []
        field_ = forms.TypedChoiceField(
            label=self.label_for(case, actor),
            required=self.required,
            coerce=int,
            empty_value=None,
            choices=[("", "—— 暂不指定 ——" if not self.required else "—— 请选择 ——")]
            + [(u.pk, _person(u)) for u in users],
            error_messages={"required": self.required_message(case, actor)},
        )
        field_.valid_value = lambda value: str(value).isdigit()
        return field_

    def from_form(self, value, case, actor):
        from xinfang.orgs.models import User

        if value in (None, ""):
            if self.required:
                raise Invalid(self.required_message(case, actor), field=self.name)
            return None
        user = User.objects.filter(pk=value, is_active=True).select_related("org").first()
        if user is None:
            raise Invalid(f"{_plain(self.label_for(case, actor))}不存在或已停用", field=self.name)
        return user

    from_api = from_form

    def annotation(self):
        if self.required:
            return RowId, SchemaField(description=self.doc())
        return RowId | None, SchemaField(None, description=self.doc())


def _person(user) -> str:
    """How a handler is offered: name, post and username, so two 张伟 can be told apart."""
    details = "，".join(x for x in (user.title, user.username) if x and x != user.display_name)
    return f"{user.display_name}（{details}）" if details else user.display_name


@dataclass(frozen=True)
class CasePick(Input):
    """Another case the actor can see: by its number on the form, by its id in the API."""

    def form_field(self, case, actor):
        return forms.CharField(
            label=self.label_for(case, actor),
            required=self.required,
            max_length=40,
            widget=forms.TextInput(),
            error_messages={"required": self.required_message(case, actor)},
        )

    def from_form(self, value, case, actor):
        from xinfang.cases.access import scoped_cases

        number = (value or "").strip()
        visible = scoped_cases(actor)
        original = visible.filter(number=number).first()
        if original is None and number.isdigit():
            # Clerks say "00170": accept the sequence part when it names one case.
            matches = list(visible.filter(number__endswith=f"{int(number):05d}号").order_by("-pk")[:2])
            if len(matches) > 1:
                raise Invalid("有多件信访件的编号以此结尾，请输入完整编号", field=self.name)
            original = matches[0] if matches else None
        if original is None:
            raise Invalid("没有找到该编号的信访件", field=self.name)
        return original

    def from_api(self, value, case, actor):
        from django.http import Http404

        from xinfang.cases.access import access_case

        try:
            return access_case(actor, value)
        except Http404:
            raise Invalid(f"{_plain(self.label_for(case, actor))}不存在或无权查看", field=self.name) from None

    def annotation(self):
        return RowId, SchemaField(description=self.doc())
