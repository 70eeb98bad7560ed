"""Writing and reading posts. Every writer (API, admin, demo) goes through these functions; the
review steps themselves are core.workflow.services."""
from __future__ import annotations

import datetime as dt
from typing import IO, Any

from core import roles
from core.errors import DomainError
from core.scoping import in_scope
from core.workflow import services as workflow
from core.workflow.models import EDITABLE
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from . import content, words
from .models import Attachment, AttachmentKind, Category, Channel, Column, Post, PostRead

EDITABLE_FIELDS = ("channel", "column", "category", "title", "summary", "body", "pinned", "major", "publish_at")
MAX_ATTACHMENTS = 20


def _check_kind(post: Post) -> None:
    if post.channel not in Channel.values:
        raise DomainError("invalid_channel", "请选择栏目（社区头条、通知公告或村(居)务公开）。")
    if post.channel == Channel.HEADLINE:
        post.category = ""
        if post.column not in Column.values:
            raise DomainError("column_required", "社区头条请选择分栏（要闻或动态）。")
    elif post.channel == Channel.AFFAIRS:
        post.column = ""
        if post.category not in Category.values:
            raise DomainError("category_required", "村(居)务公开请选择公开类别。")
    else:
        post.column = post.category = ""
    post.title = (post.title or "").strip()
    if not post.title:
        raise DomainError("title_required", "请填写标题。")
    if len(post.title) > 120:
        raise DomainError("title_too_long", "标题不能超过 120 个字。")
    if len(post.summary or "") > 300:
        raise DomainError("summary_too_long", "摘要不能超过 300 个字。")


def _check_major(post: Post) -> None:
    """重大事项 are published at once (the rule's delay, 0 days): no later schedule than that."""
    if not post.major or post.publish_at is None:
        return
    from . import cadence

    days = int(cadence.rule(cadence.MAJOR_RULE).value)
    if post.publish_at > timezone.now() + dt.timedelta(days=days, minutes=5):
        r = cadence.rule(cadence.MAJOR_RULE)
        raise DomainError("major_at_once", f"重大事项应当随时公布，不能定时延后发布（{r.citation}）。")


def _prepare(post: Post) -> None:
    _check_kind(post)
    _check_major(post)
    post.body = content.clean_html(post.body)
    if not post.summary:
        post.summary = content.plain_text(post.body)[:120]
    post.flagged_words = words.find(post.title, post.summary, content.plain_text(post.body))


@transaction.atomic
def create_post(user: Any, unit: Any, data: dict[str, Any]) -> Post:
    if not roles.can_write(user):
        raise DomainError("read_only", "您的角色不能撰写信息。", status_code=403)
    if unit is None or not in_scope(user, unit):
        raise DomainError("unit_out_of_scope", "只能以本单位（或管辖范围内单位）的名义发布。", status_code=403)
    post = Post(unit=unit, author=user, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    _prepare(post)
    post.save()
    workflow.record_created(post, user)
    return post


@transaction.atomic
def update_post(user: Any, post: Post, data: dict[str, Any]) -> Post:
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if not workflow.may_edit(user, locked):
        if locked.state not in EDITABLE:
            raise DomainError("not_editable", "已提交或已发布的内容不能修改。", status_code=409)
        raise DomainError("forbidden", "您无权修改该条目。", status_code=403)
    for k, v in data.items():
        if k in EDITABLE_FIELDS:
            setattr(locked, k, v)
    _prepare(locked)
    locked.save()
    return locked


@transaction.atomic
def add_attachment(user: Any, post: Post, upload: IO[bytes], name: str, *, cover: bool = False) -> Attachment:
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if not workflow.may_edit(user, locked):
        raise DomainError("not_editable", "只能给草稿或退回的内容添加附件。", status_code=409)
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise DomainError("too_many_files", f"每条信息最多 {MAX_ATTACHMENTS} 个附件。")
    is_image = (name or "").lower().rsplit(".", 1)[-1] in ("jpg", "jpeg", "png", "webp", "gif") or cover
    stored = content.image(upload, name) if is_image else content.document(upload, name)
    att = Attachment(post=locked, kind=stored.kind, name=stored.name, size=len(stored.data),
                     width=stored.width, height=stored.height, sha256=stored.sha256)
    att.file.save(f"{stored.sha256[:16]}-{stored.name}", ContentFile(stored.data), save=False)
    att.save()
    if att.kind == AttachmentKind.IMAGE and (cover or locked.cover_id is None):
        locked.cover = att
        locked.save(update_fields=["cover", "updated_at"])
    return att


@transaction.atomic
def remove_attachment(user: Any, att: Attachment) -> None:
    post = Post.objects.select_for_update().get(pk=att.post_id)
    if not workflow.may_edit(user, post):
        raise DomainError("not_editable", "只能从草稿或退回的内容中删除附件。", status_code=409)
    if post.cover_id == att.pk:
        post.cover = post.attachments.filter(kind=AttachmentKind.IMAGE).exclude(pk=att.pk).first()
        post.save(update_fields=["cover", "updated_at"])
    att.file.delete(save=False)
    att.delete()


def mark_read(user: Any, post: Post) -> bool:
    """Count a reader once; True when this was their first read."""
    if not roles.is_signed_in(user):
        return False
    try:
        with transaction.atomic():
            PostRead.objects.create(post=post, user=user)
    except IntegrityError:
        return False
    Post.objects.filter(pk=post.pk).update(read_count=F("read_count") + 1)
    return True


# Unit columns a post's answer needs: never the boundaries (a district's polygon is ~1 MB per row).
UNIT_FIELDS = ("id", "code", "name", "level", "path")


def readable(user: Any) -> models.QuerySet[Post]:
    return Post.objects.readable_by(user)


def with_units(qs: models.QuerySet[Post], *relations: str) -> models.QuerySet[Post]:
    """select_related for the posts' units, without their geometry columns."""
    deferred = [f"{r}__{f}" for r in relations for f in ("geom", "geom_3857", "area_m2", "floors", "height_m",
                                                           "building_use", "boundary_version")]
    return qs.select_related(*relations).defer(*deferred)


def managed(user: Any) -> models.QuerySet[Post]:
    """Posts a staff member manages or reviews: their jurisdiction's, all states."""
    return Post.objects.visible_to(user) if roles.is_staff_account(user) else Post.objects.none()
