"""Printable documents: HTML templates → PDF with seals and a verification QR (render.py), seals
(seals.py), and the record ``/verify/<token>`` shows.

    from core.documents import render_pdf
    doc = render_pdf("publication/finance.html", {"rows": rows}, unit=village, seals=["committee"],
                     kind="publication.finance", title="2026年1月财务收支公开", user=request.user)
    doc.file, doc.sha256, doc.verify_url
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:  # rendering imports models, which load with the app registry
    if name in ("render_pdf", "render_batch", "render_html"):
        from . import render

        return getattr(render, name)
    raise AttributeError(name)


__all__ = ["render_batch", "render_html", "render_pdf"]
