"""The case fields a ledger column can fill, and the county ledger's usual headers for them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # the usual header of a county ledger, and the screen's name for the field
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field("ledger_number", "信访编号", required=True),
    Field("received_on", "登记日期", required=True),
    Field("name", "信访人", required=True),
    Field("id_number", "身份证号"),
    Field("phone", "联系电话"),
    Field("channel", "信访形式", required=True),
    Field("category", "问题类别", required=True),
    Field("content", "信访事项", required=True),
    Field("unit", "责任单位"),
    Field("decided_on", "受理日期"),
    Field("closed_on", "办结日期"),
    Field("state", "办理状态", required=True),
    Field("satisfaction", "满意度"),
)
BY_KEY = {f.key: f for f in FIELDS}
DEFAULT_COLUMNS = {f.key: f.label for f in FIELDS}

# The historical states a ledger row may be in (ledger text → state key).
RECEIVED, DECIDED, CLOSED = "received", "decided", "closed"
STATES = {"待受理": RECEIVED, "已登记": RECEIVED, "办理中": DECIDED, "已受理": DECIDED, "已办结": CLOSED}
STATE_LABELS = {RECEIVED: "待受理", DECIDED: "办理中", CLOSED: "已办结"}

# What a value mapping maps: the dictionary a ledger's text is matched against.
CATEGORY, UNIT, CHANNEL = "category", "unit", "channel"
MAPPED = {CATEGORY: "问题类别", UNIT: "责任单位", CHANNEL: "信访形式"}
