"""Reading rendered documents back (python-docx, pypdf)."""

import io

from docx import Document as Docx
from pypdf import PdfReader


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Docx(io.BytesIO(content)).paragraphs)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squash(text: str) -> str:
    """PDF text extraction may break lines and insert spaces between CJK glyphs."""
    return "".join(text.split())
