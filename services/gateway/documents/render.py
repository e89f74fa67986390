"""HTML templates to PDF: Jinja for the layout, WeasyPrint for the pages, segno for the
verification QR (an SVG drawn in the page, so it stays sharp at any print size).

WeasyPrint is CPU-bound (a page takes a fraction of a second): it runs in a worker thread
so the event loop keeps serving streams and proxies meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).resolve().parent
_ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def qr_data_uri(url: str) -> str:
    """The verification URL as a QR (error correction M: a crease or a stamp over a
    corner still reads)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def html_of(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def _pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only the document routes need.
    import weasyprint

    pdf = weasyprint.HTML(string=html, base_url=str(HERE / "templates") + "/").write_pdf()
    assert pdf is not None
    return bytes(pdf)


async def pdf_of(template: str, **context: Any) -> bytes:
    html = html_of(template, **context)
    return await asyncio.to_thread(_pdf, html)
