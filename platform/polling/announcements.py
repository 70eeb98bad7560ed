"""Announcements the election rules expect (候选人名单公告, 委托投票名单公告, 选举结果公告): filled from
the election's records, printed as a PDF with both seals, and published through the publication
kit — a 社区头条 item for the community with the PDF attached, submitted for review (先审后发). Residents
of the community read it in 民政易 once a reviewer approves it; nobody else's residents do (the
audience is the community)."""
from __future__ import annotations

import io
from typing import Any

from core.documents.render import render_pdf
from core.errors import DomainError
from core.workflow import services as workflow
from django.db import transaction
from django.utils.html import escape
from elections import services as elections
from elections.models import Election
from publication import services as publication

from .models import Announcement, AnnouncementKind, Proxy, ProxyStatus, Vote, VoteStatus
from .services import ballot_posts, rule

STEPS = {AnnouncementKind.CANDIDATES: "polling", AnnouncementKind.PROXIES: "polling",
         AnnouncementKind.RESULTS: "results"}


def _context(e: Election, kind: str, vote: Vote | None) -> tuple[str, dict[str, Any], str]:
    """Title, template context and the plain-text body of the announcement."""
    unit = e.unit.name
    if kind == AnnouncementKind.CANDIDATES:
        posts = ballot_posts(e)
        if not any(p["candidates"] for p in posts):
            raise DomainError("no_candidates", "没有联审通过的正式候选人。")
        lines = [f"{p['kind']}（应选{p['seats']}名）：" + "、".join(c["name"] for c in p["candidates"]) for p in posts]
        return (f"{unit}{e.round}年换届选举正式候选人名单公告", {"posts": posts},
                "经联审，现将正式候选人名单公告如下（按姓氏笔画排列）：" + "；".join(lines) + "。")
    if kind == AnnouncementKind.PROXIES:
        rows = list(Proxy.objects.filter(election=e, status=ProxyStatus.RECORDED).select_related("principal", "holder"))
        listed = rule(e, "proxy_list_published")
        lines = [f"{p.principal.name} 委托 {p.holder.name}（{p.relation}）" for p in rows]
        return (f"{unit}{e.round}年换届选举委托投票名单公告", {"proxies": rows, "rule": listed},
                f"根据{listed.citation}，现将委托投票名单公告如下：" + ("；".join(lines) or "无") + "。")
    if vote is None or vote.status != VoteStatus.COUNTED or not vote.outcome:
        raise DomainError("not_counted", "请先完成计票。", status_code=409)
    result = vote.outcome
    if not result["valid"]:
        raise DomainError("vote_invalid", "本次投票无效，不能公告选举结果。", status_code=409)
    elected = result.get("elected", [])
    kinds = {p["id"]: p["kind"] for p in result["posts"]}
    lines = [f"{kinds.get(x['post'], x['post'])}：{x['name']}（{x['votes']}票）" for x in elected]
    return (f"{unit}{e.round}年换届选举结果公告" + (f"（第{vote.number}次投票）" if vote.number > 1 else ""),
            {"result": result, "elected": elected, "kinds": kinds, "vote": vote},
            f"{e.election_day.year}年{e.election_day.month}月{e.election_day.day}日选举，登记选民{result['registered']}人，"
            f"参加投票{result['cast']}人。当选：" + ("；".join(lines) or "无") + "。")


@transaction.atomic
def announce(user: Any, election: Election, kind: str, *, vote: Vote | None = None) -> Announcement:
    if kind not in AnnouncementKind.values:
        raise DomainError("invalid_kind", "未知的公告类型。")
    elections.ensure_may_write(user, election)
    e = elections.lock(election)
    elections.ensure_writable(e, STEPS[AnnouncementKind(kind)])
    title, context, text = _context(e, kind, vote)
    doc = render_pdf("polling/announcement.html", {"election": e, "kind": kind, "heading": title, "text": text, **context},
                     unit=e.unit, seals=["committee", "election_committee"], kind=f"polling.{kind}", title=title, user=user)
    post = publication.create_post(user, e.unit, {"channel": "headline", "column": "news", "title": title[:120],
                                                  "body": f"<p>{escape(text)}</p>", "major": True})
    with doc.file.open("rb") as f:
        publication.add_attachment(user, post, io.BytesIO(f.read()), f"{title}.pdf")
    workflow.submit(post, user)
    a = Announcement.objects.create(election=e, kind=kind, vote=vote, document=doc, post=post, created_by=user)
    elections.log(e, "announce", f"{title}：已生成并提交审核", user=user)
    return a

