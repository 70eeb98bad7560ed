"""What a post may contain: sanitised rich text (nh3), re-encoded images (Pillow: EXIF and location
dropped, size capped), PDF and xlsx attachments whose type is read from their bytes (filetype),
not from the name or the browser's Content-Type."""
from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
import nh3
from core.errors import DomainError
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
                "table", "thead", "tbody", "tr", "th", "td", "span", "hr"}
_TAG = re.compile(r"<[a-zA-Z/!]")
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def clean_html(text: str) -> str:
    """Rich text as stored: only harmless tags, links http(s)/mailto only. Plain text (no tags) is
    turned into paragraphs, so a phone's textarea gives readable posts too."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        paras = [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def plain_text(body_html: str) -> str:
    return html.unescape(nh3.clean(body_html, tags=set())).strip()


@dataclass(frozen=True)
class Stored:
    kind: str
    name: str
    data: bytes
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _read(upload: IO[bytes], max_bytes: int, what: str) -> bytes:
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError("file_too_large", f"{what}不能超过 {max_bytes // (1024 * 1024)} MB。")
    if not data:
        raise DomainError("file_empty", "文件为空。")
    return data


def _stem(name: str) -> str:
    stem = (name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return (stem.strip() or "file")[:80]


def image(upload: IO[bytes], name: str) -> Stored:
    """Decode, honour the EXIF orientation, drop every metadata block, cap the long side, write JPEG."""
    data = _read(upload, settings.PUBLICATION_MAX_IMAGE_BYTES, "图片")
    max_side = settings.PUBLICATION_MAX_IMAGE_SIDE
    try:
        with Image.open(io.BytesIO(data)) as src:
            if src.format not in ("JPEG", "PNG", "WEBP", "GIF"):
                raise DomainError("unsupported_image", "仅支持 JPEG、PNG、WebP 或 GIF 图片。")
            src.load()
            img = ImageOps.exif_transpose(src)
            if img.mode in ("RGBA", "LA", "P"):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, (255, 255, 255))
                img.paste(rgba, mask=rgba.getchannel("A"))
            else:
                img = img.convert("RGB")
            img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # A new image written without exif=/icc_profile=: no camera data, no GPS position.
            img.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise DomainError("invalid_image", "无法识别的图片文件。") from None
    return Stored("image", f"{_stem(name)}.jpg", out.getvalue(), img.width, img.height)


def document(upload: IO[bytes], name: str) -> Stored:
    """A PDF or an xlsx workbook, recognised by content; anything else is refused."""
    data = _read(upload, settings.PUBLICATION_MAX_FILE_BYTES, "附件")
    kind = filetype.guess(data)
    if kind is not None and kind.extension == "pdf":
        if b"%%EOF" not in data[-2048:]:
            raise DomainError("invalid_pdf", "PDF 文件不完整。")
        return Stored("pdf", f"{_stem(name)}.pdf", data)
    if kind is not None and kind.extension in ("xlsx", "zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                    raise DomainError("unsupported_file", "仅支持 PDF 或 Excel（xlsx）附件。")
                if sum(i.file_size for i in zf.infolist()) > 50 * len(data) + 10 * 1024 * 1024:
                    raise DomainError("invalid_xlsx", "Excel 文件异常（压缩比过高）。")
        except zipfile.BadZipFile:
            raise DomainError("invalid_xlsx", "Excel 文件已损坏。") from None
        return Stored("xlsx", f"{_stem(name)}.xlsx", data)
    raise DomainError("unsupported_file", "仅支持 PDF 或 Excel（xlsx）附件。")
