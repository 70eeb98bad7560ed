"""Demo posts so 民政易 is alive on first start: headlines, notices and 村(居)务公开 for the demo town's
communities, the town and the district, a few items waiting for review, and villages both on time
and overdue for the cadence list.

Deterministic per (seed, unit code); dates are relative to the load time, so the cadence list shows
both kinds whenever the demo is loaded. Rows go in with bulk_create (no audit events, as the
boundary demo), each with the timeline lines a real post would have.
"""
from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import numpy as np
from accounts.models import User
from core.workflow.models import State, WorkflowEvent
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from boundaries.demo.plan import DEMO_TOWN_CODE, DISTRICT_CODE
from boundaries.levels import Level
from boundaries.models import AdminUnit

from .content import clean_html
from .models import AffairsProfile, Category, Channel, Column, Post

HEADLINES = [
    ("news", "{u}召开居民代表会议 共商小区停车难题", "会议听取了居民代表对停车位划线、充电桩建设的意见，形成了三项整改措施。"),
    ("news", "{u}“红色物业”服务站正式启用", "服务站整合党员志愿者、物业和网格员力量，为居民提供代收快递、维修登记等服务。"),
    ("updates", "{u}开展垃圾分类入户宣传", "志愿者走进楼栋，向居民发放分类指南，现场演示厨余垃圾投放方法。"),
    ("updates", "{u}老年食堂新增助餐配送", "行动不便的高龄老人可通过网格员预约，午餐送餐上门。"),
    ("updates", "{u}举办“邻里一家亲”文化节", "居民自编自演的节目轮番登场，现场还设置了非遗剪纸体验。"),
]
NOTICES = [
    ("关于{u}二次供水设施清洗停水的通知", "因二次供水设施清洗，本周四 9:00-17:00 部分楼栋停水，请提前储水。"),
    ("{u}开展城乡居民医保缴费提醒", "城乡居民基本医疗保险集中缴费期即将结束，请未缴费的居民尽快办理。"),
    ("{u}征集“微心愿”公告", "为困难家庭儿童征集“微心愿”，欢迎辖区单位和居民认领。"),
]
AFFAIRS = [
    (Category.FINANCE, "{u}{m}月财务收支情况公开", "本月收入合计 {a} 元，支出合计 {b} 元，结余已入集体账户。"),
    (Category.GOVERNMENT, "{u}低保、特困人员名单公示", "根据民主评议结果，现将本季度低保、特困人员名单予以公示，公示期七天。"),
    (Category.AFFAIRS, "{u}公共区域维修项目公示", "公共区域道路、路灯维修项目已完成招投标，现将中标单位及金额公示。"),
    (Category.PARTY, "{u}党组织换届工作安排", "根据上级党委部署，现将党组织换届工作时间安排公布如下。"),
    (Category.COVENANT, "{u}居民公约（修订稿）", "经居民代表会议讨论通过，现将修订后的居民公约全文公布。"),
    (Category.WELFARE, "高龄津贴申领政策解读", "年满 80 周岁的户籍老人可申领高龄津贴，携身份证到社区便民服务站办理。"),
    (Category.EVALUATION, "{u}年度民主评议结果公开", "居民代表对两委班子成员进行了民主评议，满意率 96%。"),
    (Category.PROPERTY, "{u}物业服务费收支情况公开", "现将上半年物业服务费收支情况公开，接受业主监督。"),
]
TOWN_POSTS = [
    (Channel.NOTICE, "", "{u}关于开展夏季防汛演练的通知", "各村（社区）于本月底前完成防汛应急演练，并报送总结。"),
    (Channel.HEADLINE, Column.NEWS, "{u}召开基层治理工作推进会", "会议通报了各村（社区）村务公开、网格化管理等重点工作进展。"),
]
DISTRICT_POSTS = [
    (Channel.NOTICE, "", "渝北区民政局关于村（居）民委员会换届选举工作的通知", "全区村（居）民委员会换届选举工作将于明年一季度开展，请各镇街做好准备。"),
    (Channel.HEADLINE, Column.NEWS, "渝北区推进“智慧社区”建设", "全区村（社区）将逐步接入智慧社区平台，实现信息发布先审后发、居民掌上可查。"),
]


def _rng(seed: int, code: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(code.encode())])


def _post(unit: AdminUnit, author: User | None, reviewer: User | None, channel: str, column: str, category: str,
          title: str, body: str, published_at: dt.datetime | None, state: str = State.PUBLISHED,
          audience: AdminUnit | None = None, pinned: bool = False) -> Post:
    audience = audience or unit
    html = clean_html(body)
    return Post(
        unit=unit, author=author, state=state, review_unit=unit if state != State.DRAFT else None,
        audience_unit=audience, audience_path=audience.path, channel=channel, column=column, category=category,
        title=title, summary=body[:120], body=html, published_at=published_at if state == State.PUBLISHED else None,
        submitted_at=published_at, pinned=pinned,
    )


def _accounts() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__contains="_").select_related("unit")}


@transaction.atomic
def generate(seed: int = 2026, replace: bool = True) -> dict[str, int]:
    town = AdminUnit.objects.filter(code=DEMO_TOWN_CODE).first()
    district = AdminUnit.objects.filter(code=DISTRICT_CODE).first()
    if town is None or district is None:
        return {"posts": 0}
    if replace:
        Post.objects.filter(unit__path__startswith=district.path).delete()
        WorkflowEvent.objects.filter(unit_path__startswith=district.path).delete()
    users = _accounts()
    now = timezone.now()
    posts: list[Post] = []
    communities = list(AdminUnit.objects.filter(parent=town, level=Level.COMMUNITY).order_by("code"))
    profiles = []
    for i, unit in enumerate(communities):
        rng = _rng(seed, unit.code)
        author, reviewer = users.get(f"{unit.code}_staff"), users.get(f"{unit.code}_reviewer")
        short = unit.name
        for j, (col, title, body) in enumerate(HEADLINES):
            if rng.random() < 0.6 or i < 2:
                when = now - dt.timedelta(days=float(rng.uniform(0.5, 60)), hours=j)
                posts.append(_post(unit, author, reviewer, Channel.HEADLINE, col, "", title.format(u=short), body, when))
        for title, body in NOTICES:
            if rng.random() < 0.5 or i < 2:
                posts.append(_post(unit, author, reviewer, Channel.NOTICE, "", "", title.format(u=short), body,
                                   now - dt.timedelta(days=float(rng.uniform(0.2, 40)))))
        # 村务公开: every third community is behind (last items 4-8 months old); the others are on time.
        behind = i % 3 == 2
        many = i % 2 == 0
        profiles.append(AffairsProfile(unit=unit, many_transactions=many))
        for cat, title, body in AFFAIRS:
            age = float(rng.uniform(120, 240)) if behind else float(rng.uniform(3, 80))
            if cat == Category.FINANCE and many and not behind:
                age = float(rng.uniform(2, 25))
            month = (now - dt.timedelta(days=age)).month
            text = body.format(a=int(rng.integers(8, 40)) * 1000, b=int(rng.integers(5, 30)) * 1000)
            posts.append(_post(unit, author, reviewer, Channel.AFFAIRS, "", cat, title.format(u=short, m=month), text,
                               now - dt.timedelta(days=age)))
        if i < 2:  # something in the review queue and a draft for the demo communities
            posts.append(_post(unit, author, reviewer, Channel.HEADLINE, Column.UPDATES, "",
                               f"{short}志愿者服务队招募新队员", "欢迎热心居民报名参加志愿服务。", now, State.SUBMITTED))
            posts.append(_post(unit, author, reviewer, Channel.NOTICE, "", "", f"{short}端午节活动安排（草稿）",
                               "活动安排待定。", None, State.DRAFT))
    town_author = users.get("shuanglonghu_staff")
    for k, (channel, col, title, body) in enumerate(TOWN_POSTS):
        posts.append(_post(town, town_author, users.get("shuanglonghu_reviewer"), channel, col, "",
                           title.format(u=town.name), body, now - dt.timedelta(days=2 + k), pinned=k == 0))
    for k, (channel, col, title, body) in enumerate(DISTRICT_POSTS):
        posts.append(_post(district, users.get("yubei_staff"), users.get("yubei_reviewer"), channel, col, "", title,
                           body, now - dt.timedelta(days=1 + k), pinned=k == 0))
    AffairsProfile.objects.filter(unit__in=communities).delete()
    AffairsProfile.objects.bulk_create(profiles)
    created = Post.objects.bulk_create(posts, batch_size=1000)
    _timelines(created, users)
    from . import cadence

    cadence.refresh(AdminUnit.objects.filter(level=Level.COMMUNITY, path__startswith=district.path))
    return {"posts": len(created), "profiles": len(profiles)}


def _timelines(posts: list[Post], users: dict[str, Any]) -> None:
    ct = ContentType.objects.get_for_model(Post)
    events = []
    for p in posts:
        author = p.author
        reviewer = users.get(f"{p.unit.code}_reviewer") or users.get(
            "shuanglonghu_reviewer" if p.unit.level == Level.TOWN else "yubei_reviewer")
        steps: list[tuple[str, str, str, Any]] = [("create", "", State.DRAFT, author)]
        if p.state != State.DRAFT:
            steps.append(("submit", State.DRAFT, State.SUBMITTED, author))
        if p.state == State.PUBLISHED:
            steps += [("approve", State.SUBMITTED, State.APPROVED, reviewer),
                      ("publish", State.APPROVED, State.PUBLISHED, reviewer)]
        for action, frm, to, who in steps:
            events.append(WorkflowEvent(
                content_type=ct, object_id=p.pk, unit_path=p.unit.path, action=action, from_state=frm, to_state=to,
                actor=who, actor_name=(who.display_name or who.username) if who else "系统",
            ))
    WorkflowEvent.objects.bulk_create(events, batch_size=2000)
    # auto_now_add stamped them all "now": put each at its post's time.
    for p in posts:
        if p.published_at:
            WorkflowEvent.objects.filter(content_type=ct, object_id=p.pk).update(at=p.published_at)
