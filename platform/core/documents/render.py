"""HTML templates → PDF (WeasyPrint) or web page, with seals and the verification QR.

A document template extends ``documents/base.html`` and fills ``{% block content %}`` for one
sheet. The same template makes a one-off document (``render_pdf``), a batch of many sheets in one
PDF (``render_batch``, chunked, with progress) and a web page (``render_html``). Templates see the
caller's context, plus ``doc`` (title, unit, date, verification URL and QR) and ``{% seal kind %}``.

WeasyPrint fetches nothing from the network: only ``data:`` URIs and files under MEDIA_ROOT/seals (a rich text with a foreign image URL renders without the image).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..jobs.models import Job
from .models import Document, Seal
from .seals import active_seals

CHUNK = 20  # sheets per WeasyPrint pass: progress moves, memory stays bounded per pass


def local_only_fetcher() -> Any:
    """A WeasyPrint fetcher for data: URIs and our own seal files; anything else is refused (no
    network, no local files of the server). WeasyPrint is imported here, not with the web app."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    roots = [(Path(settings.MEDIA_ROOT) / "seals").resolve()]

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"refused: {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), timeout=5)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def new_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 random bits


def _doc(*, title: str, unit: Any, token: str | None, seals: dict[str, Seal], medium: str,
         items: Sequence[dict[str, Any]], issued: dt.datetime, batch: bool = False) -> dict[str, Any]:
    if medium == "pdf":
        seal_src = {k: Path(s.image.path).resolve().as_uri() for k, s in seals.items()}
    else:
        seal_src = {k: reverse("core-documents:seal-image", args=[s.pk]) for k, s in seals.items()}
    verify_url = f"{settings.PUBLIC_BASE_URL}/verify/{token}" if token else ""
    return {"title": title, "unit": unit, "unit_name": getattr(unit, "name", ""), "token": token or "",
            "verify_url": verify_url, "qr": qr_data_uri(verify_url) if token else "", "seal_src": seal_src,
            "medium": medium, "items": items, "issued": timezone.localtime(issued), "batch": batch}


def _resolve_seals(unit: Any, seals: Iterable[str | Seal]) -> dict[str, Seal]:
    given = list(seals)
    chosen = {s.kind: s for s in given if isinstance(s, Seal)}
    kinds = tuple(k for k in given if isinstance(k, str))
    return {**active_seals(unit, kinds), **chosen} if kinds else chosen


def render_html(template_name: str, context: dict[str, Any], *, unit: Any, seals: Iterable[str | Seal] = (),
                title: str = "", document: Document | None = None) -> str:
    """The same template as a web page (seals served by the API to signed-in staff)."""
    doc = _doc(title=title or (document.title if document else ""), unit=unit,
               token=document.token if document else None, seals=_resolve_seals(unit, seals), medium="html",
               items=[{}], issued=document.created_at if document else timezone.now())
    return render_to_string(template_name, {**context, "doc": doc})


def pdf_bytes(template_name: str, items: Sequence[dict[str, Any]], *, common: dict[str, Any], unit: Any,
              seals: dict[str, Seal], title: str, token: str | None, job: Job | None = None,
              chunk: int = CHUNK) -> tuple[bytes, int]:
    """The PDF of ``items`` (one sheet each). A batch is rendered ``chunk`` sheets at a time, each
    chunk written to PDF at once and joined by pypdf: memory is that of one chunk, not of the batch."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    issued = timezone.now()
    fonts = FontConfiguration()
    fetcher = local_only_fetcher()
    total = max(len(items), 1)
    writer = PdfWriter()
    parts: list[bytes] = []
    pages = 0
    for start in range(0, total, chunk):
        part = items[start:start + chunk] or [{}]
        doc = _doc(title=title, unit=unit, token=token, seals=seals, medium="pdf", items=part, issued=issued,
                   batch=len(items) > 1)
        html = render_to_string(template_name, {**common, "doc": doc})
        rendered = HTML(string=html, base_url=str(settings.MEDIA_ROOT), url_fetcher=fetcher).render(font_config=fonts)
        pages += len(rendered.pages)
        data = rendered.write_pdf()
        del rendered
        if total <= chunk:
            parts.append(data)  # the only chunk: WeasyPrint's own file as it is
        else:
            writer.append(PdfReader(io.BytesIO(data)))
        if job is not None:
            job.progress(min(start + chunk, len(items)), len(items) + 1,
                         "" if start + chunk < total else f"排版完成，共 {pages} 页，正在生成 PDF")
    if parts:
        return parts[0], pages
    writer.compress_identical_objects()  # seals, QR: once
    writer.add_metadata({"/Title": title, "/Author": getattr(unit, "name", ""), "/Creator": "智慧社区"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pages


def render_pdf(template_name: str, context: dict[str, Any], *, unit: Any, seals: Iterable[str | Seal] = (),
               kind: str, title: str, user: Any = None, job: Job | None = None) -> Document:
    """One document: its PDF with the unit's seals and a QR opening /verify/<token>; recorded."""
    return render_batch(template_name, [{}], common=context, unit=unit, seals=seals, kind=kind, title=title,
                        user=user, job=job)


def render_batch(template_name: str, items: Iterable[dict[str, Any]], *, common: dict[str, Any] | None = None,
                 unit: Any, seals: Iterable[str | Seal] = (), kind: str, title: str, user: Any = None,
                 job: Job | None = None, chunk: int = CHUNK) -> Document:
    """Many sheets (voter cards, notices per household...) in one recorded PDF, with progress."""
    item_list = list(items)
    resolved = _resolve_seals(unit, seals)
    token = new_token()
    data, pages = pdf_bytes(template_name, item_list, common=common or {}, unit=unit, seals=resolved, title=title,
                            token=token, job=job, chunk=chunk)
    return record(data, pages=pages, token=token, kind=kind, title=title, unit=unit, seals=resolved.values(),
                  user=user, job=job)


def record(data: bytes, *, pages: int, token: str, kind: str, title: str, unit: Any, seals: Iterable[Seal],
           user: Any = None, job: Job | None = None) -> Document:
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        document = Document(token=token, kind=kind, title=title[:200], unit=unit, sha256=digest, pages=pages,
                            size=len(data), created_by=user if getattr(user, "is_authenticated", False) else None,
                            job=job)
        document.file.save(f"{kind}-{token[:10]}.pdf", ContentFile(data), save=False)
        document.save()
        document.seals.set(list(seals))
    return document

