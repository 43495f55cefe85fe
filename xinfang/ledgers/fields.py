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


def order_in_file(columns: dict[str, str], headers: list[str]) -> list[str]:
    """The mapped field keys in the order their headers stand in the ledger file (the layout's column order).

    A key whose header the file lacks goes after those it has, in FIELDS order (sorted() is stable).
    """
    position: dict[str, int] = {}
    for i, header in enumerate(headers):
        position.setdefault(header, i)
    mapped = [f.key for f in FIELDS if columns.get(f.key)]
    return sorted(mapped, key=lambda key: position.get(columns[key], len(headers)))


def ordered_keys(columns: dict[str, str], order: list[str] | None) -> list[str]:
    """The mapped field keys in a layout's stored order, then those the order does not name in FIELDS order.

    The order is kept as a list because a JSON object's key order is lost in PostgreSQL's jsonb; a layout
    saved before the order was kept (an empty list) comes out in FIELDS order. Keys the order names that are
    not mapped (or not fields) are skipped.
    """
    mapped = {f.key for f in FIELDS if columns.get(f.key)}
    keys: list[str] = []
    for key in order or ():
        if key in mapped and key not in keys:
            keys.append(key)
    return keys + [f.key for f in FIELDS if f.key in mapped and f.key not in keys]


# The historical states a ledger row may be in (ledger text → state key).
RECEIVED, DECIDED, CLOSED = "received", "decided", "closed"
STATES = {"待受理": RECEIVED, "已登记": RECEIVED, "办理中": DECIDED, "已受理": DECIDED, "已办结": CLOSED}
STATE_LABELS = {RECEIVED: "待受理", DECIDED: "办理中", CLOSED: "已办结"}

# What a value mapping maps: the dictionary a ledger's text is matched against.
CATEGORY, UNIT, CHANNEL = "category", "unit", "channel"
MAPPED = {CATEGORY: "问题类别", UNIT: "责任单位", CHANNEL: "信访形式"}
