"""A 村(居)务公开 item printed as the notice put up on the village's board: a PDF with the committee's
seal and the verification QR (core.documents), its text and the first sheet of an attached workbook."""
from __future__ import annotations

import io
from typing import Any

from core import roles
from core.documents import render as documents
from core.documents.models import Document, SealKind
from core.errors import DomainError
from core.scoping import in_scope
from core.workflow.models import State
from django.utils import timezone
from openpyxl import load_workbook

from .models import AttachmentKind, Category, Channel, Post

MAX_ROWS = 300
MAX_COLUMNS = 12


def _cell(value: Any) -> dict[str, Any]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"text": f"{value:,.2f}" if isinstance(value, float) else f"{value:,}", "num": True}
    return {"text": "" if value is None else str(value)[:200], "num": False}


def first_sheet(post: Post) -> dict[str, Any] | None:
    """The first sheet of the post's first workbook: a header row and up to MAX_ROWS rows."""
    att = post.attachments.filter(kind=AttachmentKind.XLSX).first()
    if att is None:
        return None
    with att.file.open("rb") as f:
        wb = load_workbook(io.BytesIO(f.read()), read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = [list(r[:MAX_COLUMNS]) for r in ws.iter_rows(max_row=MAX_ROWS + 1, values_only=True)]
    finally:
        wb.close()
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        return None
    header, *body = rows
    return {"name": ws.title, "columns": ["" if c is None else str(c) for c in header],
            "rows": [[_cell(v) for v in r] for r in body]}


def print_affairs(user: Any, post: Post) -> Document:
    if not (roles.can_write(user) or roles.can_review(user)) or not in_scope(user, post.unit):
        raise DomainError("forbidden", "只能打印本单位（管辖范围内）的村务公开。", status_code=403)
    if post.channel != Channel.AFFAIRS:
        raise DomainError("not_affairs", "只有村(居)务公开可以打印为公开栏文书。")
    if post.state != State.PUBLISHED:
        raise DomainError("not_published", "审核发布后才能打印（先审后发）。", status_code=409)
    committee = getattr(post.unit, "committee", None)
    context = {
        "post": post, "category": Category(post.category).label if post.category else "",
        "published": timezone.localtime(post.published_at) if post.published_at else None,
        "sheet": first_sheet(post), "unit_kind": post.unit.kind, "phone": getattr(committee, "phone", ""),
    }
    return documents.render_pdf("publication/affairs_print.html", context, unit=post.unit,
                                seals=[SealKind.COMMITTEE], kind=f"publication.{post.category or 'affairs'}",
                                title=post.title, user=user)
