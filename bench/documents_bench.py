#!/usr/bin/env python
"""Benchmark: formal documents rendered per second, DOCX (docxtpl) and PDF (WeasyPrint).

    .venv/bin/python bench/documents_bench.py                 # default 5 seconds per format
    .venv/bin/python bench/documents_bench.py --seconds 20

Renders a 处理意见书 of realistic length (the workflow's reply-opinion text)
through the public functions ``xinfang.documents.rendering.docx_bytes`` and
``pdf_bytes``, single-threaded, from an unsaved Document (no database: the
figure is the rendering alone). Prints documents per second and the mean
output size.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.test_settings")

BODY = "\n".join(
    [
        "一、信访请求",
        "请求支付征地补偿款，并按照同地段的标准补足二〇一九年以来的差额部分。" * 2,
        "二、事实和理由",
        "经核查，你（们）的承包地于二〇二五年被依法征收，补偿款已按省人民政府公布的区片综合地价标准核定，"
        "并于二〇二五年十月十五日拨付至村集体账户；村集体尚未按分配方案发放至各户。" * 2,
        "三、处理意见",
        "不予支持。责成东岗镇人民政府督促村民委员会于三十日内按分配方案发放。",
        "四、依据",
        "《中华人民共和国土地管理法》第四十八条。",
        "如对本处理意见不服，可以自收到本意见书之日起三十日内向清河县人民政府请求复查。",
    ]
)


def _document():
    from xinfang.cases.models import Case
    from xinfang.documents.models import Document

    case = Case(number="清河县信访局〔2026〕00001号")
    return Document(
        case=case,
        kind="reply",
        number="清自然资处〔2026〕15号",
        title="信访事项处理意见书",
        addressee="张三",
        body=BODY,
        signer="清河县自然资源局",
        dated=date(2026, 12, 2),
        state="issued",
    )


def _run(fn, doc, seconds: float) -> tuple[int, float, int]:
    fn(doc)  # warm up: fonts, templates
    n, size, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        size += len(fn(doc))
        n += 1
    return n, time.perf_counter() - start, size // max(n, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    import django

    django.setup()
    from xinfang.documents import rendering

    doc = _document()
    print("| format | documents | seconds | per second | mean size (KB) |")
    print("|---|---:|---:|---:|---:|")
    for label, fn in (("DOCX", rendering.docx_bytes), ("PDF", rendering.pdf_bytes)):
        n, elapsed, size = _run(fn, doc, args.seconds)
        print(f"| {label} | {n} | {elapsed:.1f} | {n / elapsed:.1f} | {size / 1024:.0f} |")


if __name__ == "__main__":
    main()
