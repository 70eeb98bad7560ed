"""Seal images (印章): checked, re-encoded, one active per unit and kind, every change audited.

A seal must be a real PNG (by its bytes, not its name), within size and dimension limits. It is
decoded and written again by Pillow, so nothing but pixels is kept (no text chunks, no trailing
data). A seal without a transparent background still works but prints as a white square over the
text beneath it: the upload is accepted with a warning.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image, UnidentifiedImageError

from .. import roles
from ..errors import DomainError
from ..scoping import in_scope
from .models import Seal, SealKind

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 150, 2000  # pixels: enough for 42 mm at 300 dpi (~500 px), small enough to print fast
MAX_ASPECT = 2.0  # round and oval seals; a long strip is not a seal


@dataclass
class CheckedPng:
    data: bytes  # re-encoded RGBA PNG
    width: int
    height: int
    transparent: bool
    warnings: list[str] = field(default_factory=list)


def check_png(raw: bytes) -> CheckedPng:
    if len(raw) > MAX_BYTES:
        raise DomainError("seal_too_large", f"印章图片不能超过 {MAX_BYTES // 1024 // 1024} MB。")
    if not raw.startswith(PNG_SIGNATURE):
        raise DomainError("seal_not_png", "印章图片必须是 PNG 格式（文件内容不是 PNG）。")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format != "PNG":
                raise DomainError("seal_not_png", "印章图片必须是 PNG 格式。")
            width, height = probe.size
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise DomainError("seal_dimensions",
                                  f"印章图片的宽和高应在 {MIN_SIDE}～{MAX_SIDE} 像素之间（当前 {width}×{height}）。")
            if max(width, height) / min(width, height) > MAX_ASPECT:
                raise DomainError("seal_aspect", "印章图片的长宽比过大，请裁剪到印章本身。")
            probe.verify()  # checksums and structure, before decoding any pixels
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            rgba = img.convert("RGBA")
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError("seal_corrupt", "印章图片已损坏或无法识别。") from None
    alpha = rgba.getchannel("A")
    corners = [alpha.getpixel(p) for p in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1))]
    lowest = alpha.getextrema()[0]
    transparent = isinstance(lowest, int) and lowest < 255 and all(isinstance(c, int) and c < 32 for c in corners)
    warnings = [] if transparent else ["建议使用透明背景的 PNG：不透明的底色会遮住印章下面的文字。"]
    red, green, blue, _ = rgba.split()
    if red.getextrema() == green.getextrema() == blue.getextrema():
        warnings.append("图片没有颜色（灰度）：印章通常为红色，请确认上传的是彩色印章。")
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=False)
    return CheckedPng(out.getvalue(), width, height, transparent, warnings)


def upload_seal(user: Any, unit: Any, kind: str, file: BinaryIO) -> Seal:
    """Check and store a seal; it replaces the unit's active seal of that kind (kept on record)."""
    if not roles.can_manage_seals(user):
        raise DomainError("seal_forbidden", "您的角色不能管理印章。", status_code=403)
    if unit is None or not in_scope(user, unit):
        raise DomainError("unit_not_found", "单位不存在或不在您的管辖范围内。", status_code=404)
    if kind not in SealKind.values:
        raise DomainError("seal_kind", "印章类型无效。")
    checked = check_png(file.read(MAX_BYTES + 1))
    digest = hashlib.sha256(checked.data).hexdigest()
    try:
        with transaction.atomic():
            for old in Seal.objects.select_for_update().filter(unit=unit, kind=kind, active=True):
                old.active = False
                old.save(update_fields=["active"])  # audited: the seal it replaced
            seal = Seal(unit=unit, kind=kind, width=checked.width, height=checked.height,
                        transparent=checked.transparent, sha256=digest, warnings=checked.warnings, uploaded_by=user)
            seal.image.save(f"{unit.code}-{kind}-{digest[:12]}.png", ContentFile(checked.data), save=False)
            seal.save()
    except IntegrityError:
        raise DomainError("seal_conflict", "同时有另一次上传，请刷新后重试。", status_code=409) from None
    return seal


def retire_seal(user: Any, seal: Seal) -> Seal:
    if not roles.can_manage_seals(user):
        raise DomainError("seal_forbidden", "您的角色不能管理印章。", status_code=403)
    if seal.active:
        seal.active = False
        seal.save(update_fields=["active"])
    return seal


def seals_for(user: Any) -> Any:
    return Seal.objects.visible_to(user).select_related("unit", "uploaded_by")


def active_seals(unit: Any, kinds: tuple[str, ...]) -> dict[str, Seal]:
    """The unit's active seal of each kind; a missing one is refused by name."""
    found = {s.kind: s for s in Seal.objects.filter(unit=unit, kind__in=kinds, active=True)}
    for kind in kinds:
        if kind not in found:
            raise DomainError("seal_missing", f"{unit.name}尚未上传{SealKind(kind).label}，请先在“印章管理”中上传。")
    return found
