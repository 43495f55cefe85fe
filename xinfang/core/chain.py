"""Hash chains: how an append-only row is sealed to its content and to the row before it.

Case history (``cases.CaseEvent``, one chain per case) and the security
audit log (``orgs.AuditEvent``, one chain per local day) each carry, per row,
``seq`` (1, 2, 3 ... within the chain), ``prev_hash`` (the previous row's
``row_hash``; ``""`` for the first row) and ``row_hash``::

    row_hash = SHA-256( canonical({"prev": prev_hash, **content}) ), as 64 lowercase hex digits

``content`` is the row's content columns (each table lists its own, with the
chain key and ``seq``; never the primary key, so a row is sealed before it is
inserted). ``canonical`` is JSON with keys sorted at every level, no
whitespace (``","`` and ``":"``), non-ASCII characters written as themselves
and the whole encoded as UTF-8; a moment is its UTC time as
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (a naive value is taken as UTC, as the
tables store it), a date ``YYYY-MM-DD``, a missing foreign key ``null``, a
JSON column the object itself. Anyone can recompute a chain with these rules
and any SHA-256 and JSON library.

Changing a row's content, removing a row from the middle of a chain or
reordering rows breaks the chain at that row. The hash is not keyed: it is
evidence against an edit, not against someone who rewrites a whole chain
from the edited row on (the database triggers and permissions stand against
that). The serialisation is a contract: a column added to one of these
tables later must not change the hash of existing rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

GENESIS = ""  # prev_hash of the first row of a chain


def moment(value: datetime | str) -> str:
    """A stored moment in the canonical form (UTC, microseconds, ``Z``)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any) -> str:
    """What JSON cannot say by itself (called by the encoder for those values only)."""
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no canonical form")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: sorted-key compact JSON in UTF-8."""
    return json.dumps(
        fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_plain
    ).encode()


def link(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The row hash of ``content`` chained to ``prev_hash``."""
    if "prev" in content:
        raise ValueError("'prev' is the chain link, not a content field")
    return hashlib.sha256(canonical({"prev": prev_hash, **content})).hexdigest()


# --- checking a chain ---------------------------------------------------------------------------

Row = tuple[int, int | None, str, str, Mapping[str, Any]]  # (id, seq, prev_hash, row_hash, content)


@dataclass(frozen=True)
class Break:
    """The first broken link of a chain: which row (by seq and id) and what is wrong, in Chinese."""

    row_id: int | None  # None: rows are missing after the last one
    seq: int | None
    problem: str

    def __str__(self) -> str:
        if self.row_id is None:
            return self.problem
        where = f"第{self.seq}条" if self.seq is not None else "一条记录"
        return f"{where}（记录 id {self.row_id}）：{self.problem}"


def first_break(
    rows: Iterable[Row],
    *,
    seal: Callable[[str, Mapping[str, Any]], str] | None = None,
    expected: int | None = None,
) -> Break | None:
    """Walk one chain's rows (any order) by seq; the first broken link, or None when whole.

    ``seal(prev_hash, content)`` recomputes a row hash (default ``link``);
    ``expected``, when known, is how many rows the chain must have, so that
    rows removed from its end show too.
    """
    seal = seal or link
    ordered = sorted(rows, key=lambda r: (r[1] is None, r[1] or 0, r[0]))
    prev, count = GENESIS, 0
    for row_id, seq, prev_hash, row_hash, content in ordered:
        if seq is None or not row_hash:
            return Break(row_id, seq, "没有校验值（未加入校验链）")
        if seq != count + 1:
            if seq <= count:
                return Break(row_id, seq, "序号重复")
            gone = f"第{count + 1}条" if seq == count + 2 else f"第{count + 1}至{seq - 1}条"
            return Break(row_id, seq, f"{gone}记录缺失（被删除）")
        if prev_hash != prev:
            if count == 0:
                return Break(row_id, seq, "首条记录的前一条校验值不为空（之前的记录被删除或替换）")
            return Break(row_id, seq, f"与第{count}条不衔接（两条之一被改动后重算了校验值，或被替换）")
        if seal(prev_hash, content) != row_hash:
            return Break(row_id, seq, "内容与校验值不符（本条记录被改动）")
        prev, count = row_hash, seq
    if expected is not None and count != expected:
        if count == 0:
            return Break(None, None, f"没有任何记录（应有{expected}条）")
        if count < expected:
            return Break(None, count + 1, f"末尾缺少{expected - count}条记录（应有{expected}条，现有{count}条）")
        return Break(None, None, f"记录条数（{count}）多于应有的{expected}条")
    return None
