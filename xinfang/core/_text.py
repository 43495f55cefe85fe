"""Shared input clean-up for the identifier validators.

Petitioners and registrars type identifiers with full-width digits and
letters (common with Chinese input methods), stray spaces, including the
ideographic space U+3000, and lower-case letters. NFKC folding turns
full-width forms into ASCII so the validators see what the person meant.
"""

from __future__ import annotations

import unicodedata


def fold(raw: str) -> str:
    """Return ``raw`` NFKC-folded, with all whitespace removed and upper-cased."""
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(folded.split()).upper()
