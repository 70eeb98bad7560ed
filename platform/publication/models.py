"""Publication: 社区头条 (columns 要闻, 动态), 通知公告 and 村(居)务公开 (by category), each post a
reviewable item (core.workflow) whose audience is a unit's subtree (core.audiences).

Attachments are stored re-encoded (images) or sniffed (PDF, xlsx) by ``publication.content``;
they are served through the API, which checks that the reader may read the post.
"""
from __future__ import annotations

from core.audiences import AudienceQuerySet
from core.scoping import ScopedQuerySet
from core.workflow.models import Reviewable, State
from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    HEADLINE = "headline", "社区头条"
    NOTICE = "notice", "通知公告"
    AFFAIRS = "affairs", "村(居)务公开"


class Column(models.TextChoices):
    NEWS = "news", "要闻"
    UPDATES = "updates", "动态"


class Category(models.TextChoices):
    PARTY = "party", "党务"
    GOVERNMENT = "government", "政务"
    AFFAIRS = "affairs", "事务"
    FINANCE = "finance", "财务"
    COVENANT = "covenant", "村规民约/居民公约"
    WELFARE = "welfare", "惠民政策"
    EVALUATION = "evaluation", "民主评议"
    AUDIT = "audit", "经济责任审计"
    PROPERTY = "property", "业委会和物业管理信息"


#: The 村(居)务公开 sections of 民政易: 民主管理, 民主监督 and 惠民政策.
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "management": ("民主管理", (Category.PARTY, Category.GOVERNMENT, Category.AFFAIRS, Category.FINANCE,
                               Category.COVENANT)),
    "supervision": ("民主监督", (Category.EVALUATION, Category.AUDIT, Category.PROPERTY)),
    "welfare": ("惠民政策", (Category.WELFARE,)),
}


class PostQuerySet(AudienceQuerySet):
    scope_path_lookup = "unit__path"


class Post(Reviewable):
    channel = models.CharField("栏目", max_length=20, choices=Channel.choices)
    column = models.CharField("头条分栏", max_length=20, choices=Column.choices, blank=True)
    category = models.CharField("公开类别", max_length=20, choices=Category.choices, blank=True)
    title = models.CharField("标题", max_length=120)
    summary = models.CharField("摘要", max_length=300, blank=True)
    body = models.TextField("正文", blank=True)  # sanitised HTML (publication.content.clean_html)
    cover = models.ForeignKey("Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="封面")
    pinned = models.BooleanField("置顶", default=False)
    major = models.BooleanField("重大事项", default=False)
    # Words of the sensitive-word list found in the title or body at the last save: shown to the author
    # before submitting and to the reviewer.
    flagged_words = models.JSONField("敏感词", default=list, blank=True)
    read_count = models.PositiveIntegerField("阅读人数", default=0)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = "信息"
        verbose_name_plural = "信息发布"
        indexes = [
            # The resident feed: published items whose audience covers the reader, newest first.
            models.Index(fields=["audience_path", "-published_at"], name="post_feed",
                         condition=models.Q(state=State.PUBLISHED)),
            models.Index(fields=["unit", "channel", "category", "-published_at"], name="post_unit_channel"),
            models.Index(fields=["review_unit", "state"], name="post_review_queue"),
        ]
        constraints = [
            models.CheckConstraint(name="post_column_only_headline",
                                   condition=models.Q(channel="headline") | models.Q(column="")),
            models.CheckConstraint(name="post_category_only_affairs",
                                   condition=models.Q(channel="affairs") | models.Q(category="")),
        ]

    def __str__(self) -> str:
        return self.title


class AttachmentKind(models.TextChoices):
    IMAGE = "image", "图片"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"publication/{instance.post.unit.code}/{instance.post_id}/{filename}"


class AttachmentQuerySet(ScopedQuerySet):
    scope_path_lookup = "post__unit__path"


class Attachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class PostRead(models.Model):
    """One reader of one post (unique readers: reading twice counts once)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="postread_unique")]

    def __str__(self) -> str:
        return f"{self.post_id}/{self.user_id}"


class SensitiveWord(models.Model):
    """Words an administrator adds to the shipped list (publication/rules/sensitive_words.txt)."""

    word = models.CharField("敏感词", max_length=50, unique=True)
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["word"]
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词"

    def __str__(self) -> str:
        return self.word




class CadenceStatusQuerySet(ScopedQuerySet):
    pass


class CadenceStatus(models.Model):
    """A village's 村务公开 cadence as last computed (publication.cadence.refresh): what the supervisors'
    map layer draws. Recomputed when an affairs item of the village is published or withdrawn, and
    daily (``manage.py refresh_cadence``), since time alone makes a village overdue."""

    unit = models.OneToOneField("adminunits.AdminUnit", on_delete=models.CASCADE, primary_key=True,
                                related_name="+")
    overdue = models.BooleanField(default=False)
    rules = models.CharField("逾期规则", max_length=200, blank=True)  # rule titles, "、"-separated
    last_published = models.DateTimeField(null=True, blank=True)
    computed_on = models.DateField()

    objects = CadenceStatusQuerySet.as_manager()

    class Meta:
        verbose_name = "村务公开状态"
        verbose_name_plural = "村务公开状态"

    def __str__(self) -> str:
        return f"{self.unit_id}: {'overdue' if self.overdue else 'ok'}"


class AffairsProfile(models.Model):
    """What the 村务公开 cadence needs to know about a village: whether its collective finances have
    many transactions (then finances are published monthly, not quarterly)."""

    unit = models.OneToOneField("adminunits.AdminUnit", on_delete=models.CASCADE, related_name="affairs_profile", verbose_name="单位")
    many_transactions = models.BooleanField("集体财务往来较多", default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "村务公开设置"
        verbose_name_plural = "村务公开设置"

    def __str__(self) -> str:
        return str(self.unit)
