"""Archive (归档): the paper-archive checklist (纸质档案移交) during handover, then one package of the
whole election — every PDF it issued, the roll, the counts, the timeline as CSV and JSON, and a
manifest with the SHA-256 of each file — after which the election is frozen: the stage becomes
``archived`` and the one guard (``elections.services.ensure_writable``) refuses every write of both
election apps."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

from core.documents.models import Document
from core.errors import DomainError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from elections import services as elections
from elections.codes import Stage
from elections.models import Election, Event, Voter

from .models import Announcement, Archive, BoxCount, Vote, VoterCard

CHECKLIST = [
    ("roll", "选民名单（公布稿及变更记录）"),
    ("cards", "选民证发放登记及作废、补发记录"),
    ("proxies", "委托投票书及委托名单"),
    ("ballots", "选票（已投、作废、剩余）封存"),
    ("tally", "计票单、唱票记录"),
    ("report", "选举结果报告单及公告"),
    ("certificates", "当选证书存根"),
    ("handover", "工作移交清单"),
]


def checklist(archive: Archive | None) -> list[dict[str, Any]]:
    kept = {i["key"]: i for i in (archive.checklist if archive else [])}
    return [{"key": k, "label": label, "done": bool(kept.get(k, {}).get("done")), "by": kept.get(k, {}).get("by", ""),
             "at": kept.get(k, {}).get("at")} for k, label in CHECKLIST]


@transaction.atomic
def tick(user: Any, election: Election, key: str, done: bool) -> Archive:
    elections.ensure_may_write(user, election)
    e = elections.lock(election)
    elections.ensure_writable(e, "handover")
    if key not in dict(CHECKLIST):
        raise DomainError("invalid_item", "没有这一项纸质档案。")
    archive, _ = Archive.objects.select_for_update().get_or_create(election=e)
    items = checklist(archive)
    for item in items:
        if item["key"] == key:
            item.update(done=bool(done), by=getattr(user, "username", "") if done else "",
                        at=timezone.now().isoformat() if done else None)
    archive.checklist = items
    archive.save(update_fields=["checklist"])
    elections.log(e, "paper_archive", f"纸质档案：{dict(CHECKLIST)[key]}{'已移交' if done else '取消移交'}", user=user)
    return archive


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese CSV correctly


def _documents(e: Election) -> list[Document]:
    ids: set[int] = set()
    ids.update(VoterCard.objects.filter(election=e, document__isnull=False).values_list("document_id", flat=True))
    ids.update(Vote.objects.filter(election=e, ballot_document__isnull=False).values_list("ballot_document_id", flat=True))
    ids.update(Announcement.objects.filter(election=e).values_list("document_id", flat=True))
    if e.roll_document_id:
        ids.add(e.roll_document_id)
    return list(Document.objects.filter(pk__in=ids).order_by("created_at", "id"))


def package(e: Election) -> tuple[bytes, list[dict[str, Any]]]:
    """The zip and its manifest (name, bytes, SHA-256 per file)."""
    files: list[tuple[str, bytes]] = []
    for d in _documents(e):
        if d.file:
            with d.file.open("rb") as f:
                files.append((f"documents/{d.kind}-{d.pk}.pdf", f.read()))
    voters = Voter.objects.filter(election=e).select_related("group").order_by("id")
    files.append(("roll.csv", _csv([["序号", "姓名", "性别", "身份证号（脱敏）", "村(居)民小组", "登记类别", "状态"]] + [
        [v.pk, v.name, v.get_gender_display(), v.id_masked, v.group.name if v.group else "", v.get_category_display(),
         v.get_status_display()] for v in voters])))
    counts = []
    for vote in Vote.objects.filter(election=e).order_by("number"):
        counts.append({"number": vote.number, "runoff": vote.runoff, "status": vote.status, "posts": vote.posts,
                       "totals": vote.totals, "outcome": vote.outcome,
                       "boxes": [{"station": b.station.name, "allocated": b.allocated, "spoiled": b.spoiled,
                                  "returned": b.returned} for b in BoxCount.objects.filter(vote=vote).select_related("station")]})
    files.append(("counts.json", json.dumps(counts, ensure_ascii=False, indent=1).encode()))
    events = list(Event.objects.filter(election=e).order_by("at", "id"))
    timeline = [{"at": timezone.localtime(ev.at).isoformat(), "stage": ev.stage, "kind": ev.kind, "text": ev.text,
                 "rule": ev.rule, "actor": ev.actor_name} for ev in events]
    files.append(("timeline.json", json.dumps(timeline, ensure_ascii=False, indent=1).encode()))
    files.append(("timeline.csv", _csv([["时间", "阶段", "类型", "内容", "依据", "操作人"]] + [
        [t["at"], t["stage"], t["kind"], t["text"], t["rule"], t["actor"]] for t in timeline])))
    manifest = [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
        z.writestr("manifest.json", json.dumps({"election": e.pk, "unit": e.unit.name, "round": e.round,
                                                "built_at": timezone.now().isoformat(), "files": manifest},
                                               ensure_ascii=False, indent=1))
    return buf.getvalue(), manifest


@transaction.atomic
def archive(user: Any, election: Election) -> Archive:
    """Build the package and freeze the election (handover → archived)."""
    elections.ensure_may_write(user, election)
    e = elections.lock(election)
    elections.ensure_writable(e, "handover")
    record, _ = Archive.objects.select_for_update().get_or_create(election=e)
    missing = [i["label"] for i in checklist(record) if not i["done"]]
    if missing:
        raise DomainError("paper_archive_incomplete", "纸质档案尚未全部移交：" + "、".join(missing) + "。")
    data, manifest = package(e)
    record.package.save(f"election-{e.pk}-archive.zip", ContentFile(data), save=False)
    record.sha256, record.manifest, record.built_at = hashlib.sha256(data).hexdigest(), manifest, timezone.now()
    record.save()
    # The one way into 归档 (a plain "next stage" is refused: it would skip the checklist and the package).
    elections.set_stage(e, Stage.ARCHIVED, user=user, text="纸质档案移交完毕，归档包已生成，选举归档")
    return record
