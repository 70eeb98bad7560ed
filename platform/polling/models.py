"""Polling-day records of an election (elections.Election): votes (the first vote and each run-off),
polling stations and their boxes, voter cards with signed QR tokens, proxies, ballots issued at a
scan, ballots entered at the count, announcements and the archive. See docs/polling.md.

The hard guarantee — a voter receives ballots at most once per vote, whoever scans and however fast —
is a unique constraint on ``Issuance (vote, voter)``, not a check in Python: two clerks scanning the
same card at the same moment cannot both write it.
"""
from __future__ import annotations

from core.scoping import ScopedQuerySet
from django.conf import settings
from django.db import models
from django.db.models import Q
from elections.models import ElectionPartQuerySet


class VoteScoped(ScopedQuerySet):
    scope_path_lookup = "vote__election__unit__path"


class VoteStatus(models.TextChoices):
    OPEN = "open", "投票中"
    COUNTED = "counted", "已计票"


class Vote(models.Model):
    """One vote of an election: the first vote (number 1) or a run-off (另行选举, number 2, 3…) on
    the posts and candidates that remained, with its own ballots and threshold."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="votes")
    number = models.PositiveSmallIntegerField("第几次投票", default=1)
    runoff = models.BooleanField("另行选举", default=False)
    # The posts and candidates on this vote's ballot, as the outcome function reads them.
    posts = models.JSONField("职务与候选人", default=list)
    status = models.CharField("状态", max_length=10, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    # Totals per candidate from the paper tally sheet, when ballots are not entered one by one.
    totals = models.JSONField("汇总票数", null=True, blank=True)
    outcome = models.JSONField("计票结果", null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    ballot_document = models.ForeignKey("core.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name="选票样张")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["election", "number"]
        verbose_name = "投票"
        verbose_name_plural = "投票"
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="polling_vote_number")]

    def __str__(self) -> str:
        return f"第{self.number}次投票" + ("（另行选举）" if self.runoff else "")


class StationKind(models.TextChoices):
    CENTRE = "centre", "中心会场"
    STATION = "station", "投票站"
    MOBILE = "mobile", "流动票箱"


class Station(models.Model):
    """A polling station with its ballot box (中心会场, 投票站, 流动票箱)."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="stations")
    kind = models.CharField("类型", max_length=10, choices=StationKind.choices)
    name = models.CharField("名称", max_length=50)
    # Villager groups voting here; empty: any voter of the election may vote here.
    groups = models.ManyToManyField("adminunits.AdminUnit", blank=True, related_name="+", verbose_name="村(居)民小组")

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["election", "kind", "id"]
        verbose_name = "投票站"
        verbose_name_plural = "投票站"
        constraints = [models.UniqueConstraint(fields=["election", "name"], name="polling_station_name")]

    def __str__(self) -> str:
        return self.name


class BoxCount(models.Model):
    """Per vote and station: ballots handed to the station, and at the count ballots found in its box.
    Ballots given to voters are the issuances; the reconciliation compares the box with them."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="boxes")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="boxes")
    allocated = models.PositiveIntegerField("领取选票数", default=0)
    returned = models.PositiveIntegerField("收回选票数", null=True, blank=True)
    spoiled = models.PositiveIntegerField("作废（未发出）选票数", default=0)

    objects = VoteScoped.as_manager()

    class Meta:
        ordering = ["vote", "station"]
        verbose_name = "票箱"
        verbose_name_plural = "票箱"
        constraints = [models.UniqueConstraint(fields=["vote", "station"], name="polling_box_once")]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.vote_id}"


class CardStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "已作废（补发）"


class VoterCard(models.Model):
    """A voter card (选民证). Its QR carries a signed random token (``polling.cards``): unguessable,
    not a sequence; a reprint revokes the old card, whose token then answers "revoked"."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="cards")
    voter = models.ForeignKey("elections.Voter", on_delete=models.CASCADE, related_name="cards")
    token = models.CharField(max_length=40, unique=True)
    number = models.CharField("证号", max_length=20)  # printed for people, never used to verify
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="cards",
                                verbose_name="投票站")
    status = models.CharField("状态", max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    document = models.ForeignKey("core.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["election", "id"]
        verbose_name = "选民证"
        verbose_name_plural = "选民证"
        constraints = [models.UniqueConstraint(fields=["voter"], condition=Q(status="active"),
                                               name="polling_card_one_active")]

    def __str__(self) -> str:
        return self.number


class ProxyStatus(models.TextChoices):
    RECORDED = "recorded", "已登记"
    CANCELLED = "cancelled", "已撤销"


class Proxy(models.Model):
    """A written authorisation (委托投票): a voter away on polling day asks a near relative on the same
    roll to vote for them. Recorded beforehand, within the rule set's cap, and published as a list."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="proxies")
    principal = models.ForeignKey("elections.Voter", on_delete=models.CASCADE, related_name="proxies_given",
                                  verbose_name="委托人")
    holder = models.ForeignKey("elections.Voter", on_delete=models.CASCADE, related_name="proxies_held",
                               verbose_name="受委托人")
    relation = models.CharField("亲属关系", max_length=10)
    document = models.CharField("委托书编号", max_length=50, blank=True)
    status = models.CharField("状态", max_length=10, choices=ProxyStatus.choices, default=ProxyStatus.RECORDED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["election", "holder", "id"]
        verbose_name = "委托投票"
        verbose_name_plural = "委托投票"
        constraints = [models.UniqueConstraint(fields=["principal"], condition=Q(status="recorded"),
                                               name="polling_proxy_one_per_principal")]

    def __str__(self) -> str:
        return f"{self.principal_id}→{self.holder_id}"


class Issuance(models.Model):
    """Ballots handed to a voter at a scan: for themselves (``proxy`` empty) or for a principal whose
    written authorisation they carry. Unique per vote and voter: the guarantee against issuing twice."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="issuances")
    voter = models.ForeignKey("elections.Voter", on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(VoterCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="issuances")
    proxy = models.ForeignKey(Proxy, null=True, blank=True, on_delete=models.SET_NULL, related_name="issuances")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="issuances")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    clerk_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = VoteScoped.as_manager()

    class Meta:
        ordering = ["vote", "at"]
        verbose_name = "发票记录"
        verbose_name_plural = "发票记录"
        constraints = [models.UniqueConstraint(fields=["vote", "voter"], name="polling_issue_once")]
        indexes = [models.Index(fields=["vote", "station"], name="polling_issue_station")]

    def __str__(self) -> str:
        return f"{self.voter_id}@{self.vote_id}"


class BallotEntry(models.Model):
    """One paper ballot as entered at the count (唱票/计票): its marks per post (candidate ids or
    write-ins), or void. ``entry`` A/B: the optional double entry by two clerks."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("选票序号")
    entry = models.CharField(max_length=1, default="A")
    marks = models.JSONField("所选", default=dict, blank=True)
    void = models.BooleanField("无效票", default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    objects = VoteScoped.as_manager()

    class Meta:
        ordering = ["vote", "station", "number", "entry"]
        verbose_name = "选票录入"
        verbose_name_plural = "选票录入"
        constraints = [models.UniqueConstraint(fields=["vote", "station", "number", "entry"], name="polling_ballot_once")]

    def __str__(self) -> str:
        return f"{self.station_id}#{self.number}{self.entry}"


class AnnouncementKind(models.TextChoices):
    CANDIDATES = "candidates", "候选人名单公告"
    PROXIES = "proxies", "委托投票名单公告"
    RESULTS = "results", "选举结果公告"


class Announcement(models.Model):
    """An announcement filled from the election (PDF with seals), published through the publication
    kit: a 通知公告 post with the PDF attached, reviewed before residents see it."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="announcements")
    kind = models.CharField("公告类型", max_length=20, choices=AnnouncementKind.choices)
    vote = models.ForeignKey(Vote, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document = models.ForeignKey("core.Document", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey("publication.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["election", "-created_at"]
        verbose_name = "选举公告"
        verbose_name_plural = "选举公告"

    def __str__(self) -> str:
        return self.get_kind_display()


class Archive(models.Model):
    """The archive of a finished election: the package (zip with a manifest of SHA-256 digests) and
    the paper-archive checklist (纸质档案移交)."""

    election = models.OneToOneField("elections.Election", on_delete=models.CASCADE, related_name="archive")
    package = models.FileField("归档包", upload_to="polling/archives/%Y/", blank=True, max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField("清单", default=list, blank=True)
    checklist = models.JSONField("纸质档案清单", default=list, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    objects = ElectionPartQuerySet.as_manager()

    class Meta:
        verbose_name = "选举归档"
        verbose_name_plural = "选举归档"

    def __str__(self) -> str:
        return f"归档 {self.election_id}"
