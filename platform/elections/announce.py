"""Publishing the roll: the clerk submits it; a background job prints it (a PDF with the election
committee's seal and the verification QR, core.documents) and files the announcement (选民名单公告) in
the publication kit, where the community's reviewer approves it (review first, core.workflow). When
the reviewer publishes, the election enters ``roll_published`` and the objection window opens from that
day. A roll published later than the rule allows stops the election (the town must authorise going on).
"""
from __future__ import annotations

import io
from typing import Any

from core.documents.models import SealKind
from core.errors import DomainError
from core.workflow.models import State
from django.db import transaction
from django.utils import timezone

from . import calendar, roll, services
from .codes import Stage, StopKind, VoterStatus
from .models import Election, Voter

COLUMNS = 4  # names per printed row: a 20,000-voter roll stays near 130 pages


def _check_seal(e: Election) -> None:
    from core.documents.seals import active_seals

    if not active_seals(e.unit, (SealKind.ELECTION_COMMITTEE,)):
        raise DomainError("seal_missing", f"{e.unit.name}尚未上传选举委员会印章，请先在“印章”中上传。", status_code=409)


@transaction.atomic
def submit_roll(user: Any, election: Election) -> Any:
    """The clerk submits the roll: it is frozen (stage ``roll_review``) and the print job is started."""
    from core.jobs import start_job

    services.ensure_may_write(user, election)
    e = services.lock(election)
    services.ensure_writable(e, "roll_submit")
    if not Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL).exists():
        raise DomainError("roll_empty", "选民名单为空，请先登记选民。", status_code=409)
    _check_seal(e)
    services.set_stage(e, Stage.ROLL_REVIEW, user=user, text="提交选民名单，生成公告并送审")
    return start_job("elections.roll_announce", user=user, unit=e.unit, params={"election": e.pk})


def roll_context(e: Election) -> dict[str, Any]:
    c = roll.counts(e)
    voters = list(Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL)
                  .order_by("group__name", "id").values_list("name", "gender", "group__name"))
    groups: list[dict[str, Any]] = []
    for name, gender, group in voters:
        label = group or "未分组"
        if not groups or groups[-1]["name"] != label:
            groups.append({"name": label, "rows": []})
        rows = groups[-1]["rows"]
        if not rows or len(rows[-1]) == COLUMNS:
            rows.append([])
        rows[-1].append({"name": name, "gender": "男" if gender == "1" else "女"})
    d = calendar.deadlines(election_day=e.election_day, body=e.body, province=e.rule_province,
                           published_on=timezone.localdate())
    objection = d.rules["objection"].rule
    return {"election": e, "counts": c, "groups": groups, "columns": range(COLUMNS), "objection_rule": objection,
            "objection_citation": str(objection.citation), "committee": e.committee}


def title_of(e: Election) -> str:
    return f"{e.unit.name}{e.round}年{e.get_body_display()}换届选举选民名单公告"


def announce(job: Any, e: Election, user: Any) -> None:
    """The job's work: print the roll, file the announcement with the PDF attached, submit it for review."""
    from core.documents import render as documents
    from core.workflow import services as workflow
    from publication import services as publication
    from publication.models import Channel

    job.progress(0, 3, "生成选民名单 PDF")
    ctx = roll_context(e)
    doc = documents.render_pdf("elections/roll.html", ctx, unit=e.unit, seals=[SealKind.ELECTION_COMMITTEE],
                               kind="elections.roll", title=title_of(e), user=user, job=job)
    job.progress(1, 3, "提交选民名单公告审核")
    c = ctx["counts"]
    groups = "".join(f"<tr><td>{g['name']}</td><td>{g['total']}</td><td>{g['male']}</td><td>{g['female']}</td></tr>"
                     for g in c["groups"])
    body = (f"<p>根据有关规定，经{e.unit.name}选举委员会登记，现将参加{e.round}年{e.get_body_display()}换届选举的选民名单予以公布，"
            f"共 {c['total']} 人（男 {c['male']} 人，女 {c['female']} 人），选举日为 {e.election_day.isoformat()}。</p>"
            f"<table><tr><th>小组</th><th>选民</th><th>男</th><th>女</th></tr>{groups}</table>"
            f"<p>对选民名单有异议的，请自公布之日起 {ctx['objection_rule'].value} 日内向选举委员会提出，"
            f"可在民政易“选举”中提交（{ctx['objection_citation']}）。完整名单见附件。</p>")
    with transaction.atomic():
        locked = services.lock(e)
        if locked.stage != Stage.ROLL_REVIEW:
            raise DomainError("stage_order", "选民名单已不在送审阶段。", status_code=409)
        post = locked.roll_post
        if post is None or post.state not in (State.DRAFT, State.REJECTED):
            post = publication.create_post(user, locked.unit, {"channel": Channel.NOTICE, "title": title_of(locked)[:120],
                                                               "body": body, "major": True})
        else:
            post = publication.update_post(user, post, {"body": body})
            for att in post.attachments.all():
                publication.remove_attachment(user, att)
        with doc.file.open("rb") as fh:
            publication.add_attachment(user, post, io.BytesIO(fh.read()), "选民名单.pdf")
        workflow.submit(post, user)
        locked.roll_post = post
        locked.roll_document = doc
        locked.save(update_fields=["roll_post", "roll_document", "updated_at"])
        services.log(locked, "roll_submitted", f"选民名单公告已送审（{doc.pages} 页 PDF）", user=user)
    job.link_result(doc.file.name, "选民名单.pdf", {"document": doc.pk, "post": post.pk, "pages": doc.pages})
    job.progress(3, 3, "已提交审核")


def announce_failed(e: Election, user: Any, message: str) -> None:
    """The print job failed: the roll goes back to registration so the clerk can fix it and submit again."""
    with transaction.atomic():
        locked = services.lock(e)
        if locked.stage == Stage.ROLL_REVIEW:
            services.set_stage(locked, Stage.REGISTRATION, user=user, text=f"选民名单公告生成失败：{message}")


def announcement_changed(post: Any, *, user: Any, action: str) -> None:
    """The roll's announcement changed state in the review workflow: follow it."""
    e = Election.objects.filter(roll_post=post).select_related("unit").first()
    if e is None:
        return
    e = services.lock(e)
    if action == "reject" and e.stage == Stage.ROLL_REVIEW:
        services.set_stage(e, Stage.REGISTRATION, user=user, text=f"选民名单公告被退回：{post.rejection_reason}")
    elif action in ("publish", "approve") and post.state == State.PUBLISHED and e.stage == Stage.ROLL_REVIEW:
        # A stopped election's roll is not published by approving its announcement either: the
        # refusal aborts the reviewer's step (this runs inside the workflow's transaction).
        services.ensure_writable(e, "roll_publish")
        published = timezone.localtime(post.published_at or timezone.now())
        e.roll_published_at = published
        e.save(update_fields=["roll_published_at", "updated_at"])
        d = calendar.deadlines(election_day=e.election_day, body=e.body, province=e.rule_province,
                               published_on=published.date())
        services.set_stage(e, Stage.ROLL_PUBLISHED, user=user,
                           text=f"选民名单经审核公布，异议受理至 {d.objections_until.isoformat()}",
                           rule=str(d.rules["objection"].rule.citation))
        if published.date() > d.roll_publish_by:
            r = d.rules["roll"].rule
            services.stop(e, kind=StopKind.RULE_FAILED, user=user, rule=str(r.citation),
                          reason=f"选民名单于 {published.date().isoformat()} 公布，晚于最迟公布日 {d.roll_publish_by.isoformat()}"
                                 f"（{r.title}）")
    elif action == "withdraw" and e.stage not in (Stage.REGISTRATION, Stage.ROLL_REVIEW):
        services.stop(e, kind=StopKind.OTHER, user=user, reason=f"已公布的选民名单公告被撤回：{post.withdrawal_reason}")
