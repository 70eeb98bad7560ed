"""The committee election (村(居)民委员会换届选举) of one village or community in a 换届 round.

An ``Election`` carries its stage, its calendar (planned dates per stage, checked against the rule set
the election was created under: ``rule_province`` + election day pick the rules in force), the roll
(``Voter``), objections to the roll, the posts and candidates with the joint review (候选人联审), and
the exceptions (``Stop``) that only the town's election guidance body can lift. Every write goes
through ``elections.services`` and its guard ``ensure_writable``.

A voter's ID number is never stored: ``id_hash`` is the keyed lookup hash of core.crypto (the same hash
as ``population.Person.id_hash``), which makes "is this person on another roll of the round" one
indexed query.
"""
from __future__ import annotations

from core.scoping import ScopedQuerySet
from django.conf import settings
from django.db import models
from django.db.models import Q

from .codes import (
    Body,
    CandidateStatus,
    Category,
    Mode,
    ObjectionKind,
    ObjectionStatus,
    Source,
    Stage,
    StopKind,
    StopStatus,
    VoterStatus,
)
from .codes import Post as PostKind

SEX_CHOICES = [("1", "男"), ("2", "女")]


class ElectionQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Election(models.Model):
    unit = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name="村(社区)")
    round = models.CharField("换届届次", max_length=20)  # "2026"
    body = models.CharField("选举机构", max_length=20, choices=Body.choices)
    mode = models.CharField("选举方式", max_length=20, choices=Mode.choices, default=Mode.DIRECT)
    election_day = models.DateField("选举日")
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.REGISTRATION, db_index=True)
    # The rule set the election runs under: the province whose rules apply and the version in force on
    # election day when it was created (shown; the rules are looked up by province and day).
    rule_province = models.CharField("适用规则省份", max_length=10, default="national")
    rule_set = models.CharField("规则集", max_length=100, blank=True)
    rule_version = models.CharField("规则集版本", max_length=40, blank=True)
    calendar = models.JSONField("日程", default=dict, blank=True)  # {stage: "YYYY-MM-DD"} planned dates
    committee = models.JSONField("选举委员会", default=list, blank=True)  # [{"name", "role"}]
    stopped = models.BooleanField("异常暂停", default=False)
    # Voters on the roll, kept by the roll's services (roll.refresh_count) for the map layer and lists.
    voters_count = models.PositiveIntegerField("选民人数", default=0)
    roll_post = models.ForeignKey("publication.Post", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="选民名单公告")
    roll_document = models.ForeignKey("core.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="选民名单（PDF）")
    roll_published_at = models.DateTimeField("选民名单公布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间")

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code"]
        verbose_name = "换届选举"
        verbose_name_plural = "换届选举"
        constraints = [models.UniqueConstraint(fields=["unit", "round"], name="election_one_per_round")]
        indexes = [models.Index(fields=["round", "stage"], name="election_round_stage")]

    def __str__(self) -> str:
        return f"{self.round}年{self.get_body_display()}换届选举（{self.unit_id}）"


class ElectionPartQuerySet(ScopedQuerySet):
    """A record that belongs to one election is scoped through the election's unit."""

    scope_path_lookup = "election__unit__path"


class Post(models.Model):
    """A post on the committee and its seats (职数)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField("职务", max_length=20, choices=PostKind.choices)
    seats = models.PositiveSmallIntegerField("职数")

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["election", "id"]
        verbose_name = "职位"
        verbose_name_plural = "职位"
        constraints = [models.UniqueConstraint(fields=["election", "kind"], name="post_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.seats}"


class VoterQuerySet(ElectionPartQuerySet):
    def on_roll(self) -> VoterQuerySet:
        return self.filter(status=VoterStatus.ON_ROLL)


class Voter(models.Model):
    """One entry of the roll (选民名单)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voters", verbose_name="选举")
    person = models.ForeignKey("population.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="人员")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=SEX_CHOICES)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_hash = models.BinaryField(editable=False, verbose_name="身份证号摘要")
    id_masked = models.CharField("脱敏身份证号", max_length=18, blank=True)
    group = models.ForeignKey("adminunits.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="村(居)民小组")
    category = models.CharField("登记类别", max_length=30, choices=Category.choices, default=Category.HUKOU_RESIDENT)
    status = models.CharField("状态", max_length=20, choices=VoterStatus.choices, default=VoterStatus.ON_ROLL)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.MANUAL)
    reason = models.CharField("登记/移除理由", max_length=300, blank=True)
    # A non-户籍 resident accepted by the village assembly or its representatives: the decision.
    acceptance = models.CharField("村(居)民会议同意记录", max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True, verbose_name="登记时间")
    removed_at = models.DateTimeField(null=True, blank=True, verbose_name="移除时间")

    objects = VoterQuerySet.as_manager()

    class Meta:
        ordering = ["election", "id"]
        verbose_name = "选民"
        verbose_name_plural = "选民"
        constraints = [
            models.UniqueConstraint(fields=["election", "id_hash"], condition=Q(status=VoterStatus.ON_ROLL),
                                    name="voter_once_per_roll"),
        ]
        indexes = [
            # "Is this person on another roll?": one index probe per person, and the district-wide
            # duplicate check as one grouped scan of this index.
            models.Index(fields=["id_hash"], name="voter_id_hash", condition=Q(status=VoterStatus.ON_ROLL),
                         include=["election"]),
            models.Index(fields=["election", "status", "group"], name="voter_election_status"),
        ]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates", verbose_name="选举")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="candidates", verbose_name="职务")
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="candidacies", verbose_name="选民")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=SEX_CHOICES)
    status = models.CharField("状态", max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.NOMINATED)
    nominations = models.PositiveIntegerField("提名票数", default=0)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["election", "post", "-nominations", "id"]
        verbose_name = "候选人"
        verbose_name_plural = "候选人"
        constraints = [models.UniqueConstraint(fields=["election", "post", "voter"], name="candidate_once_per_post")]

    def __str__(self) -> str:
        return self.name


class VettingDepartmentQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class VettingDepartment(models.Model):
    """A department of a town or the district that reviews candidates (候选人联审), e.g. 组织, 纪检监察,
    公安, 民政, 信访. Elections under ``unit`` send their candidate list to every active one."""

    unit = models.ForeignKey("adminunits.AdminUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name="所属镇街/区")
    name = models.CharField("部门", max_length=50)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="对应组织部门")
    active = models.BooleanField("启用", default=True)

    objects = VettingDepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "id"]
        verbose_name = "联审部门"
        verbose_name_plural = "联审部门"
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="vetting_department_unique")]

    def __str__(self) -> str:
        return self.name


class VettingQuerySet(ScopedQuerySet):
    scope_path_lookup = "candidate__election__unit__path"


class Vetting(models.Model):
    """One department's answer on one candidate: pass/fail with a reason (``passed`` NULL: waiting)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="vettings")
    department = models.ForeignKey(VettingDepartment, on_delete=models.PROTECT, related_name="vettings")
    passed = models.BooleanField("通过", null=True, blank=True)
    reason = models.CharField("意见", max_length=300, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = VettingQuerySet.as_manager()

    class Meta:
        ordering = ["candidate", "department"]
        verbose_name = "联审意见"
        verbose_name_plural = "联审意见"
        constraints = [models.UniqueConstraint(fields=["candidate", "department"], name="vetting_once")]

    def __str__(self) -> str:
        return f"{self.candidate_id}/{self.department_id}"


class Objection(models.Model):
    """An objection to the published roll (选民名单异议): received within the window, decided by the
    election committee within the deadline; an upheld objection is the only way the published roll
    changes."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="objections", verbose_name="选举")
    kind = models.CharField("异议类型", max_length=20, choices=ObjectionKind.choices)
    voter = models.ForeignKey(Voter, null=True, blank=True, on_delete=models.SET_NULL, related_name="objections",
                              verbose_name="涉及选民")
    subject_name = models.CharField("涉及人员", max_length=50)
    subject_person = models.ForeignKey("population.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name="被异议人")
    text = models.CharField("异议内容", max_length=1000)
    objector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="异议人")
    objector_name = models.CharField("异议人", max_length=50)
    via_app = models.BooleanField("经民政易提交", default=False)
    received_on = models.DateField("收到日期")
    decide_by = models.DateField("应决定日期")
    status = models.CharField("状态", max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING)
    decision = models.CharField("处理决定", max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="处理人")
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name="处理时间")
    late = models.BooleanField("超期决定", default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "选民名单异议"
        verbose_name_plural = "选民名单异议"

    def __str__(self) -> str:
        return f"{self.subject_name}：{self.get_kind_display()}"


class Stop(models.Model):
    """An exception (异常情况): the election stops until the town's election guidance body authorises
    the next step with a reason."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="stops", verbose_name="选举")
    kind = models.CharField("异常类型", max_length=30, choices=StopKind.choices)
    stage = models.CharField("发生阶段", max_length=20, choices=Stage.choices)
    reason = models.CharField("异常情况", max_length=500)
    rule = models.CharField("依据", max_length=300, blank=True)  # the citation of the failed rule
    status = models.CharField("状态", max_length=20, choices=StopStatus.choices, default=StopStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="批准人")
    authorised_at = models.DateTimeField(null=True, blank=True, verbose_name="批准时间")
    authorisation = models.CharField("批准意见", max_length=500, blank=True)

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "异常情况"
        verbose_name_plural = "异常情况"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.reason[:20]}"


class Event(models.Model):
    """The election's timeline: every stage change, import, publication, objection, stop and
    authorisation, with the rule that decided it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="events", verbose_name="选举")
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")
    kind = models.CharField(max_length=40, verbose_name="类型")
    stage = models.CharField(max_length=20, choices=Stage.choices, verbose_name="阶段")
    text = models.CharField(max_length=500, verbose_name="内容")
    rule = models.CharField(max_length=300, blank=True, verbose_name="依据规则")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="操作人")
    actor_name = models.CharField(max_length=150, blank=True, verbose_name="操作人姓名")

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "选举进程"
        verbose_name_plural = "选举进程"

    def __str__(self) -> str:
        return self.text


class Conflict(models.Model):
    """A person who was to be registered on this roll but is already on another roll of the round (one
    roll per person): not registered here, shown to this community, to the other (in its timeline and
    a message) and to the town."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="conflicts")
    other = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+", verbose_name="已登记的选举")
    other_voter = models.ForeignKey(Voter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField("姓名", max_length=50)
    id_masked = models.CharField("脱敏身份证号", max_length=18, blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    detected_at = models.DateTimeField(auto_now_add=True)

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = "重复登记"
        verbose_name_plural = "重复登记"

    def __str__(self) -> str:
        return self.name
