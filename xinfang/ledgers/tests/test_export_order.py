"""导出台账 in the ledger's own column order: the order of the file whose mapping saved the layout.

The layout keeps its column order as a list of field keys, because a JSON object's key order is lost in
PostgreSQL's jsonb (run these on PostgreSQL too: that is the case that matters).
"""

import importlib
from datetime import date
from io import BytesIO

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import load_workbook

from xinfang.background.testing import run_queued
from xinfang.cases.models import Category
from xinfang.ledgers import export as ex
from xinfang.ledgers import fields as F
from xinfang.ledgers.models import ImportState, LedgerImport, LedgerLayout, ValueMapping
from xinfang.ledgers.tests.ledgerfiles import HEADERS, row, xlsx
from xinfang.ledgers.validation import check

pytestmark = pytest.mark.django_db

# The city's ledger: its own headers, in an order FIELDS does not have (and jsonb would not keep).
CITY = [
    ("state", "状态"),
    ("ledger_number", "编号"),
    ("category", "类别"),
    ("content", "主要内容"),
    ("name", "姓名"),
    ("received_on", "来信来访日期"),
    ("channel", "方式"),
    ("unit", "承办单位"),
    ("closed_on", "办结时间"),
    ("decided_on", "受理时间"),
]
CITY_HEADERS = [header for _key, header in CITY]
CITY_KEYS = [key for key, _header in CITY]
FIELD_ORDER = [f.key for f in F.FIELDS]


@pytest.fixture
def category(db):
    names: dict[str, list[Category]] = {}
    for c in Category.objects.filter(parent__isnull=False, is_active=True).order_by("code"):
        names.setdefault(c.name, []).append(c)
    return next(cs[0] for cs in names.values() if len(cs) == 1)


def city_row(number, category, **over):
    """A ledger row under the city's headers (``row``'s county values, renamed)."""
    county = row(number, 问题类别=category.name, **over)
    label = {f.key: f.label for f in F.FIELDS}
    return {header: county[label[key]] for key, header in CITY}


def upload(client, name, data):
    response = client.post("/ledgers/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return LedgerImport.objects.latest("pk")


def headers_of(content: bytes) -> list:
    ws = load_workbook(BytesIO(content)).worksheets[0]
    return list(next(ws.iter_rows(values_only=True)))


def export(client, layout, **data) -> bytes:
    response = client.post(
        "/ledgers/export/",
        {"layout": layout.pk, "start": "2025-03-01", "end": "2025-03-31", "date_format": ex.ISO, **data},
    )
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def test_a_layout_mapped_from_a_file_exports_in_the_files_column_order(login, cast, clock, category):
    """Upload the city's ledger, map its columns, import it; the export in that layout has the city's order."""
    clock.set(date(2025, 6, 2))
    client = login(cast.registrar)
    data = xlsx(
        [city_row("SJ-1", category), city_row("SJ-2", category, 办理状态="办理中", 办结日期="")],
        headers=CITY_HEADERS,
    )
    imp = upload(client, "市局台账.xlsx", data)
    assert imp.state == ImportState.UPLOADED  # 信访编号 … are not the city's headers: the clerk maps them
    mapping = {f"col_{key}": header for key, header in CITY}
    assert client.post(f"/ledgers/{imp.pk}/columns/", {**mapping, "name": "市局格式"}).status_code == 302
    imp.refresh_from_db()
    assert imp.state == ImportState.VALIDATED, imp.message
    layout = LedgerLayout.objects.get(org=cast.bureau, name="市局格式")
    assert layout.order == CITY_KEYS
    if connection.vendor == "postgresql":
        # What the export would get from the mapping alone: jsonb's own key order, not the file's.
        assert list(layout.columns) != CITY_KEYS
    client.post(f"/ledgers/{imp.pk}/start/")
    run_queued()
    imp.refresh_from_db()
    assert (imp.state, imp.imported) == (ImportState.DONE, 2)

    exported = export(client, layout, personal="on", reason="报送市信访局")
    assert headers_of(exported) == CITY_HEADERS
    # And it reads back through the import's check to the rows of the city's file.
    columns = dict(layout.columns)
    before = check("市局台账.xlsx", data, org=cast.bureau, columns=columns, mappings={})
    after = check("导出.xlsx", exported, org=cast.bureau, columns=columns, mappings={})
    assert before.problems == [] and after.problems == []
    assert [r.values for r in after.rows] == [r.values for r in before.rows]


def test_the_default_layout_saved_by_the_value_step_keeps_the_files_order(login, cast, clock, category):
    clock.set(date(2025, 6, 2))
    shuffled = [*HEADERS[5:], *HEADERS[:5]]
    client = login(cast.registrar)
    imp = upload(client, "t.xlsx", xlsx([row("QH-1", 问题类别="征地拆迁补偿")], headers=shuffled))
    assert client.post(f"/ledgers/{imp.pk}/values/", {"category_0": category.code}).status_code == 302
    imp.refresh_from_db()
    assert imp.state == ImportState.VALIDATED and imp.layout.name == "默认格式"
    assert imp.layout.order == [*FIELD_ORDER[5:], *FIELD_ORDER[:5]]
    assert headers_of(export(login(cast.officer), imp.layout)) == shuffled


def test_saving_the_mapping_again_from_another_file_takes_that_files_order(login, cast, clock, category):
    clock.set(date(2025, 6, 2))
    client = login(cast.registrar)
    mapping = {f"col_{key}": header for key, header in CITY}
    first = upload(client, "a.xlsx", xlsx([city_row("SJ-1", category)], headers=CITY_HEADERS))
    client.post(f"/ledgers/{first.pk}/columns/", {**mapping, "name": "市局格式"})
    reordered = list(reversed(CITY_HEADERS))
    second = upload(client, "b.xlsx", xlsx([city_row("SJ-1", category)], headers=reordered))
    client.post(f"/ledgers/{second.pk}/columns/", {**mapping, "name": "市局格式"})
    layout = LedgerLayout.objects.get(org=cast.bureau, name="市局格式")
    assert layout.order == list(reversed(CITY_KEYS))
    assert headers_of(export(login(cast.officer), layout)) == reordered


def test_a_layout_saved_before_the_order_was_kept_still_exports_in_fields_order(login, cast, clock):
    clock.set(date(2025, 6, 2))
    layout = LedgerLayout.objects.create(org=cast.bureau, name="旧格式", columns=dict(CITY), order=[])
    ValueMapping.objects.create(layout=layout, kind="category", text="征地补偿", target="x")
    expected = [header for key, header in sorted(CITY, key=lambda kh: FIELD_ORDER.index(kh[0]))]
    assert headers_of(export(login(cast.officer), layout)) == expected


def test_fields_the_order_does_not_name_follow_in_fields_order_and_stale_keys_are_skipped():
    layout = LedgerLayout(
        columns={"name": "姓名", "ledger_number": "编号", "state": "状态", "content": "内容", "phone": ""},
        order=["state", "gone", "phone", "state", "content"],
    )
    assert layout.column_keys() == ["state", "content", "ledger_number", "name"]
    assert ex.columns_of(layout) == [
        ("state", "状态"),
        ("content", "内容"),
        ("ledger_number", "编号"),
        ("name", "姓名"),
    ]
    assert ex.columns_of(None) == [(f.key, f.label) for f in F.FIELDS]


def test_the_data_migration_gives_old_layouts_the_fields_order_and_leaves_kept_orders_alone(cast):
    migration = importlib.import_module("xinfang.ledgers.migrations.0002_layout_column_order")
    old = LedgerLayout.objects.create(org=cast.bureau, name="旧格式", columns=dict(CITY), order=[])
    kept = LedgerLayout.objects.create(org=cast.bureau, name="市局格式", columns=dict(CITY), order=CITY_KEYS)
    assert tuple(migration.FIELD_KEYS) == tuple(FIELD_ORDER)
    for _ in range(2):  # idempotent
        migration.fill_order(apps, None)
        old.refresh_from_db()
        kept.refresh_from_db()
        assert old.order == [key for key in FIELD_ORDER if key in CITY_KEYS]
        assert kept.order == CITY_KEYS
