"""Running an import: check the whole file, then bring the rows in by batches, one transaction each.

A batch writes its cases and their ``ImportedRow`` keys together, so a process killed in the
middle leaves whole batches behind and nothing half-written; a rerun skips every ledger number
already in (the key is unique per org) and brings in the rest.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F as Col

from xinfang.cases.actions import History, Registration
from xinfang.cases.actions.historical import RuleBook, do_import_historical_many
from xinfang.cases.events import insert_objects, insert_rows
from xinfang.cases.states import Kind
from xinfang.core import clock
from xinfang.ledgers import fields as F
from xinfang.ledgers.fields import DEFAULT_COLUMNS
from xinfang.ledgers.models import ImportedRow, ImportState, LedgerImport, ValueMapping
from xinfang.ledgers.validation import Checked, Row, check, report_xlsx
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction
from xinfang.petitioners import crypto
from xinfang.petitioners.access import can_register_petitioners
from xinfang.petitioners.models import Petitioner, PetitionerKind, PetitionerPhone

BATCH = 200


def layout_of(imp: LedgerImport) -> tuple[dict, dict]:
    """The import's column mapping and value mappings (the defaults when it has no layout)."""
    if imp.layout is None:
        return dict(DEFAULT_COLUMNS), {}
    mappings: dict[str, dict[str, str]] = {}
    for kind, text, target in ValueMapping.objects.filter(layout=imp.layout).values_list("kind", "text", "target"):
        mappings.setdefault(kind, {})[text] = target
    return imp.layout.columns, mappings


def validate(imp: LedgerImport) -> Checked:
    """Check the file; store the report and the counts; write nothing else."""
    columns, mappings = layout_of(imp)
    checked = check(imp.filename, bytes(imp.data), org=imp.org, columns=columns, mappings=mappings)
    imp.error_count = len(checked.problems)
    imp.total = len(checked.rows) if checked.ok else 0
    imp.report = report_xlsx(checked.problems) if checked.problems else None
    imp.state = ImportState.VALIDATED if checked.ok else ImportState.UPLOADED
    imp.save(update_fields=["error_count", "total", "report", "state"])
    return checked


def run(import_id: int) -> str:
    imp = LedgerImport.objects.select_related("org", "created_by", "layout").get(pk=import_id)
    if imp.state == ImportState.DONE:
        return imp.state
    columns, mappings = layout_of(imp)
    checked = check(imp.filename, bytes(imp.data), org=imp.org, columns=columns, mappings=mappings)
    if not checked.ok:  # the dictionaries or rules changed since the check
        LedgerImport.objects.filter(pk=imp.pk).update(
            report=report_xlsx(checked.problems), error_count=len(checked.problems)
        )
        _finish(imp, ImportState.FAILED, f"校验发现{len(checked.problems)}处问题，未导入")
        return ImportState.FAILED
    LedgerImport.objects.filter(pk=imp.pk).update(
        state=ImportState.IMPORTING, imported=0, skipped=0, total=len(checked.rows)
    )
    actor = imp.created_by
    book = RuleBook()
    size = BATCH  # read at run time: the command's --batch sets it
    for start in range(0, len(checked.rows), size):
        if LedgerImport.objects.filter(pk=imp.pk, cancel_requested=True).exists():
            _finish(imp, ImportState.CANCELLED, "已取消；已导入的行保留，重新导入同一文件会补齐其余行")
            return ImportState.CANCELLED
        _batch(imp, actor, checked.rows[start : start + size], book)
    _finish(imp, ImportState.DONE, "")
    return ImportState.DONE


def _batch(imp: LedgerImport, actor, rows: list[Row], book: RuleBook) -> None:
    """One transaction: the batch's petitioners, cases and ``ImportedRow`` keys, a table at a time."""
    with transaction.atomic():
        numbers = [r.values["ledger_number"] for r in rows]
        done = set(
            ImportedRow.objects.filter(org=imp.org, ledger_number__in=numbers).values_list("ledger_number", flat=True)
        )
        todo = [r for r in rows if r.values["ledger_number"] not in done]
        people = _petitioners(imp, actor, todo)
        cases = do_import_historical_many(
            [_registration(row, person) for row, person in zip(todo, people, strict=True)], actor=actor, book=book
        )
        insert_rows(
            ImportedRow,
            [
                {
                    "org_id": imp.org_id,
                    "ledger_number": row.values["ledger_number"],
                    "ledger_import_id": imp.pk,
                    "case_id": case.pk,
                }
                for row, case in zip(todo, cases, strict=True)
            ],
        )
        LedgerImport.objects.filter(pk=imp.pk).update(
            imported=Col("imported") + len(todo), skipped=Col("skipped") + len(rows) - len(todo)
        )


def _known_petitioners(imp: LedgerImport, actor, rows: list[Row]) -> dict[str, Petitioner]:
    """The org's own petitioners with the batch's ID numbers, matched in one audited look-up.

    A clerk's look-up by number is rate-limited (petitioners.lookups) against guessing; an
    import matches thousands of numbers it already holds, so it matches a batch at once,
    only in the importing org's own register, and says so in the audit log, once a batch.
    """
    hashes = {crypto.hash_value(r.values["id_number"]) for r in rows if r.values.get("id_number")}
    if not hashes:
        return {}
    found = {
        p.id_number_hash: p for p in Petitioner.objects.filter(org=imp.org, id_number_hash__in=hashes).order_by("-pk")
    }
    record(
        AuditAction.REVEAL,
        actor=actor,
        target=f"台账导入：按身份证号码匹配信访人（导入{imp.pk}）",
        detail=f"本单位信访人登记中匹配{len(hashes)}个号码，命中{len(found)}个",
        reason="历史台账导入",
    )
    return found


def _petitioners(imp: LedgerImport, actor, rows: list[Row]) -> list[Petitioner]:
    """The petitioner of each row: the org's own by ID number, else a new one (all new ones in one insert).

    The new records are those ``register_petitioner`` makes (normalised, encrypted, hashed,
    masked by the model's setters), inserted a batch at a time; the same person twice in a
    batch is one petitioner.
    """
    if not can_register_petitioners(actor):
        raise PermissionDenied("您无权登记信访人")
    known = _known_petitioners(imp, actor, rows)
    people: list[Petitioner] = []
    new: list[Petitioner] = []
    phones: list[tuple[Petitioner, PetitionerPhone]] = []
    for row in rows:
        v = row.values
        digest = crypto.hash_value(v["id_number"]) if v.get("id_number") else ""
        person = known.get(digest) if digest else None
        if person is None:
            person = Petitioner(
                kind=PetitionerKind.PERSON, name=v["name"].strip(), org_id=actor.org_id, created_by=actor
            )
            person.set_id_number(v.get("id_number", ""))
            new.append(person)
            if v.get("phone"):
                phone = PetitionerPhone(position=0)  # the model's setter; the row goes in once the person has a key
                phone.set_number(v["phone"])
                phones.append((person, phone))
            if digest:
                known[digest] = person
        people.append(person)
    insert_objects(new)
    insert_rows(
        PetitionerPhone,
        [
            {f: getattr(phone, f) for f in ("kind", "number_enc", "number_hash", "masked", "position")}
            | {"petitioner_id": person.pk}
            for person, phone in phones
        ],
    )
    return people


def _registration(row: Row, petitioner: Petitioner) -> tuple[Registration, History]:
    v = row.values
    content = v["content"]
    reg = Registration(
        channel=v["channel"],
        received_at=clock.aware(v["received_on"]),
        kind=Kind.CLAIM,  # a county ledger does not record the 信访性质; see docs/ledgers.md
        summary=content[:60],
        content=content,
        petitioners=[(petitioner, False)],
        category=v["category"],
    )
    state = v["state"]
    history = History(
        ledger_number=v["ledger_number"],
        unit=v.get("unit"),
        decided_at=clock.aware(v["decided_on"]) if state in (F.DECIDED, F.CLOSED) else None,
        closed_at=clock.aware(v["closed_on"]) if state == F.CLOSED else None,
        satisfaction=v.get("satisfaction", ""),
    )
    return reg, history


def _finish(imp: LedgerImport, state: str, message: str) -> None:
    LedgerImport.objects.filter(pk=imp.pk).update(state=state, message=message, finished_at=clock.now())
