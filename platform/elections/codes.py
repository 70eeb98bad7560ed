"""Code tables of the committee election: bodies, modes, stages and their order, roll categories."""
from __future__ import annotations

from django.db import models


class Body(models.TextChoices):
    VILLAGE = "village", "村民委员会"
    RESIDENTS = "residents", "居民委员会"


class Mode(models.TextChoices):
    """How the committee is elected. Villages: all voters directly. Residents' committees may also be
    elected by one representative per household or by residents' representatives."""

    DIRECT = "direct", "全体选民直接选举"
    HOUSEHOLD = "household", "户代表选举"
    REPRESENTATIVES = "representatives", "居民代表选举"


class Stage(models.TextChoices):
    REGISTRATION = "registration", "选民登记"
    ROLL_REVIEW = "roll_review", "选民名单审核"
    ROLL_PUBLISHED = "roll_published", "选民名单公布"
    NOMINATION = "nomination", "候选人提名"
    CANDIDATES = "candidates", "确定正式候选人"
    JOINT_REVIEW = "joint_review", "候选人联审"
    POLLING = "polling", "投票选举"
    COUNTING = "counting", "计票"
    RESULTS = "results", "结果公布"
    HANDOVER = "handover", "工作移交"
    ARCHIVED = "archived", "归档"


#: The stages in order: an election moves one stage forward at a time.
STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)

#: The stages in which each kind of write may happen (``services.ensure_writable``). The roll changes
#: freely only before publication; afterwards only through decided objections.
STEP_STAGES: dict[str, tuple[str, ...]] = {
    "setup": (Stage.REGISTRATION,),
    "roll": (Stage.REGISTRATION,),
    "roll_submit": (Stage.REGISTRATION,),
    "roll_publish": (Stage.ROLL_REVIEW,),
    "objection": (Stage.ROLL_PUBLISHED, Stage.NOMINATION),
    "nomination": (Stage.NOMINATION,),
    "candidates": (Stage.NOMINATION, Stage.CANDIDATES),
    "joint_review": (Stage.JOINT_REVIEW,),
    "polling": (Stage.POLLING,),
    "counting": (Stage.COUNTING,),
    "results": (Stage.RESULTS,),
    "handover": (Stage.HANDOVER,),
    "advance": tuple(s for s in STAGE_ORDER if s != Stage.ARCHIVED),
    "stop": tuple(s for s in STAGE_ORDER if s != Stage.ARCHIVED),
}


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class Post(models.TextChoices):
    DIRECTOR = "director", "主任"
    DEPUTY = "deputy", "副主任"
    MEMBER = "member", "委员"


class Category(models.TextChoices):
    """Why a person may vote here (选民资格), as the law lists the cases."""

    HUKOU_RESIDENT = "hukou_resident", "户籍在本村(社区)并且居住"
    HUKOU_AWAY = "hukou_away", "户籍在本村(社区)不在本村(社区)居住，本人表示参加选举"
    RESIDENT_ACCEPTED = "resident_accepted", "户籍不在本村(社区)，居住一年以上，本人申请并经同意"


class VoterStatus(models.TextChoices):
    ON_ROLL = "on_roll", "在册"
    REMOVED = "removed", "已移除"


class Source(models.TextChoices):
    POOL = "pool", "人口库导入"
    EXCEL = "excel", "Excel表导入"
    MANUAL = "manual", "手工添加"
    OBJECTION = "objection", "异议处理"


class CandidateStatus(models.TextChoices):
    NOMINATED = "nominated", "提名"
    FORMAL = "formal", "正式候选人"
    APPROVED = "approved", "联审通过"
    REJECTED = "rejected", "联审未通过"


class ObjectionKind(models.TextChoices):
    ADD = "add", "应列入而未列入"
    REMOVE = "remove", "不应列入而列入"
    CORRECT = "correct", "信息有误"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class StopKind(models.TextChoices):
    MEETING_INVALID = "meeting_invalid", "会议无效"
    ELECTION_INVALID = "election_invalid", "选举无效"
    RULE_FAILED = "rule_failed", "违反规定"
    OTHER = "other", "其他异常"


class StopStatus(models.TextChoices):
    OPEN = "open", "待镇街指导机构处理"
    AUTHORISED = "authorised", "已批准继续"
