"""Chart images for the 通报, drawn on the server with matplotlib (Agg: no display, nothing fetched).

The fonts are the CJK fonts the machine's set-up installs; matplotlib takes
the first it finds. Each function returns PNG bytes.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "DejaVu Sans"]
STYLE: Any = {"font.family": "sans-serif", "font.sans-serif": FONTS, "axes.unicode_minus": False}


def _png(fig: Figure) -> bytes:
    out = BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    return out.getvalue()


def trend(labels: list[str], values: list[int], *, title: str) -> bytes:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(7, 3))
        ax = fig.add_subplot()
        ax.plot(range(len(values)), values, marker="o", color="#1f5fa8")
        ax.set_xticks(range(len(labels)), [label.replace("年", "年\n") for label in labels], fontsize=7)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize=11)
        ax.grid(axis="y", alpha=0.3)
        for x, y in enumerate(values):
            ax.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=7)
        return _png(fig)


def bars(labels: list[str], values: list[int], *, title: str) -> bytes:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(7, 3))
        ax = fig.add_subplot()
        ax.barh(range(len(values)), values, color="#1f5fa8")
        ax.set_yticks(range(len(labels)), labels, fontsize=9)
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize=11)
        for y, x in enumerate(values):
            ax.annotate(str(x), (x, y), textcoords="offset points", xytext=(4, -3), fontsize=8)
        if not values:
            ax.text(0.5, 0.5, "本期没有收件", ha="center", va="center", transform=ax.transAxes)
        return _png(fig)
