"""Polling jobs (core.jobs): printing voter cards in batches, building the archive package."""
from __future__ import annotations

import io
import os
import select
import tempfile
from pathlib import Path
from typing import Any, cast

from core.documents.render import pdf_bytes, record
from core.documents.seals import active_seals
from core.errors import DomainError
from core.jobs import job_task
from core.jobs.models import Job
from django.conf import settings
from django.db import transaction
from elections.models import Election

from . import cards as card_service
from .cards_layout import sheet_background
from .models import CardStatus, VoterCard

TEMPLATE = "polling/voter_cards.html"
# Sheets per WeasyPrint pass: each pass parses the style sheets again (about a second), so card sheets,
# which are light, go in larger passes than the kernel's default.
CHUNK = 40


class _PipeProgress:
    """The progress of a forked renderer, sent to its parent as "done total" lines."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        os.write(self.fd, f"{done}\n".encode())


class _Combined:
    """The parent's own share plus what its children reported, as one progress bar."""

    def __init__(self, job: Job, total: int, pipes: list[int]) -> None:
        self.job, self.total, self.pipes = job, total, pipes
        self.children = [0] * len(pipes)
        self.own = 0

    def poll(self) -> None:
        for i, fd in enumerate(self.pipes):
            if fd < 0:
                continue
            while select.select([fd], [], [], 0)[0]:
                data = os.read(fd, 4096)
                if not data:
                    self.pipes[i] = -1
                    break
                last = data.decode().strip().splitlines()
                if last:
                    self.children[i] = int(last[-1])
        self.job.progress(self.own + sum(self.children), self.total + 1, f"已排版 {self.own + sum(self.children)} 页")

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self.own = done
        self.poll()


def render_parallel(items: list[dict[str, Any]], *, common: dict[str, Any], unit: Any, seals: dict[str, Any],
                    title: str, token: str, job: Job, workers: int) -> tuple[bytes, int]:
    """Render ``items`` (sheets) in ``workers`` processes and join the parts in order.

    A Celery worker process may not start multiprocessing children (it is a daemon), so the parts
    are rendered in plain forked children: they only lay out and write PDF (no database), send
    their progress through a pipe, leave their part in a temporary file and end with ``os._exit``
    (nothing of the parent — database connections, the job's heartbeat — is touched)."""
    if workers <= 1 or len(items) < 20:
        return pdf_bytes(TEMPLATE, items, common=common, unit=unit, seals=seals, title=title, token=token, job=job,
                         chunk=CHUNK)
    from pypdf import PdfReader, PdfWriter

    size = -(-len(items) // workers)
    parts = [items[i:i + size] for i in range(0, len(items), size)]
    children: list[tuple[int, str, int]] = []
    for part in parts[:-1]:
        fd, path = tempfile.mkstemp(suffix=".pdf", prefix="polling-cards-")
        os.close(fd)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: render, write, exit without running the parent's clean-up
            code = 1
            try:
                os.close(r)
                data, pages = pdf_bytes(TEMPLATE, part, common=common, unit=unit, seals=seals, title=title,
                                        token=token, job=cast(Any, _PipeProgress(w)), chunk=CHUNK)
                with open(path, "wb") as f:
                    f.write(pages.to_bytes(4, "big") + data)
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        children.append((pid, path, r))
    combined = _Combined(job, len(items), [r for _, _, r in children])
    own, own_pages = pdf_bytes(TEMPLATE, parts[-1], common=common, unit=unit, seals=seals, title=title, token=token,
                               job=cast(Any, combined), chunk=CHUNK)
    combined.own = len(parts[-1])
    writer = PdfWriter()
    pages = 0
    try:
        for pid, path, _r in children:
            _, status = os.waitpid(pid, 0)
            combined.poll()
            if status != 0:
                raise DomainError("render_failed", "选民证排版失败，请重试。")
            with open(path, "rb") as f:
                blob = f.read()
            pages += int.from_bytes(blob[:4], "big")
            writer.append(PdfReader(io.BytesIO(blob[4:])))
    finally:
        for _, path, r in children:
            os.close(r)
            os.unlink(path)
    writer.append(PdfReader(io.BytesIO(own)))
    pages += own_pages
    writer.compress_identical_objects()
    writer.add_metadata({"/Title": title, "/Author": getattr(unit, "name", ""), "/Creator": "智慧社区"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pages


@job_task("polling.voter_cards", title="打印选民证")
def voter_cards(job: Job, election: int, cards: list[int] | None = None, **_: Any) -> None:
    """One PDF of voter cards (eight per A4 sheet, the election committee's seal on each, a signed QR
    code per card): every active card of the election, or the ``cards`` given (reprints)."""
    e = Election.objects.select_related("unit").get(pk=election)
    qs = VoterCard.objects.filter(election=e, status=CardStatus.ACTIVE).select_related("voter", "voter__group", "station")
    if cards:
        qs = qs.filter(pk__in=cards)
    chosen = list(qs.order_by("station_id", "voter__group_id", "id"))
    if not chosen:
        raise DomainError("no_cards", "没有需要打印的选民证。")
    job.progress(0, None, f"准备 {len(chosen)} 张选民证")
    items = card_service.sheets(chosen)
    seals = active_seals(e.unit, ("election_committee",))
    title = f"{e.unit.name}{e.round}年换届选举选民证（{len(chosen)}张）"
    day = e.election_day
    seal = seals["election_committee"]
    common = {"sheet_background": sheet_background(
        election_title=f"{e.unit.name}{e.round}年{e.get_body_display()}换届选举", election_day=f"{day.year}年{day.month}月{day.day}日",
        issuer=f"{e.unit.name}选举委员会", seal=Path(seal.image.path))}
    from core.documents.render import new_token

    token = new_token()
    data, pages = render_parallel(items, common=common, unit=e.unit, seals=seals, title=title, token=token, job=job,
                                  workers=settings.POLLING_CARD_PROCESSES)
    with transaction.atomic():
        document = record(data, pages=pages, token=token, kind="polling.voter_cards", title=title, unit=e.unit,
                          seals=seals.values(), user=job.user, job=job)
        VoterCard.objects.filter(pk__in=[c.pk for c in chosen]).update(document=document)
    job.link_result(document.file.name or "", f"{title}.pdf",
                    {"document": document.pk, "pages": pages, "cards": len(chosen), "sha256": document.sha256})
    job.progress(len(items) + 1, len(items) + 1, f"完成：{len(chosen)} 张，{pages} 页")
