"""Rich text, images and attachments: sanitised, re-encoded, sniffed, limited."""
from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from core.errors import DomainError
from core.testing import Actors
from PIL import Image

from publication import content

pytestmark = pytest.mark.django_db


def _jpeg(size: tuple[int, int] = (3000, 2000), gps: bool = True) -> bytes:
    img = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    if gps:
        exif[0x8825] = {1: "N", 2: (29.0, 35.0, 10.0), 3: "E", 4: (106.0, 31.0, 5.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["收入", 12000])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(out, "PDF")
    return out.getvalue()


def test_clean_html_keeps_formatting_and_drops_scripts() -> None:
    dirty = '<p onclick="x()">好<script>alert(1)</script><a href="javascript:alert(1)">链接</a><strong>重点</strong></p>'
    clean = content.clean_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "<strong>重点</strong>" in clean
    assert content.clean_html("第一段\n\n<第二段>") == "<p>第一段</p><p>&lt;第二段&gt;</p>"


def test_image_is_reencoded_without_exif_and_capped() -> None:
    raw = _jpeg()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)
    stored = content.image(io.BytesIO(raw), "照片.JPG")
    img = Image.open(io.BytesIO(stored.data))
    assert img.format == "JPEG" and max(img.size) == 1920 and (stored.width, stored.height) == img.size
    assert not img.getexif() and "exif" not in img.info
    assert stored.name == "照片.jpg"


def test_bad_files_are_refused() -> None:
    with pytest.raises(DomainError) as e:
        content.image(io.BytesIO(b"GIF89a not really"), "x.gif")
    assert e.value.code == "invalid_image"
    with pytest.raises(DomainError) as e:
        content.document(io.BytesIO(b"MZ\x90\x00 an exe named pdf"), "报告.pdf")
    assert e.value.code == "unsupported_file"
    with pytest.raises(DomainError) as e:  # a zip that is not a workbook
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a.txt", "x")
        content.document(io.BytesIO(buf.getvalue()), "表.xlsx")
    assert e.value.code == "unsupported_file"
    assert content.document(io.BytesIO(_pdf()), "a.exe").kind == "pdf"  # the content decides, not the name
    assert content.document(io.BytesIO(_xlsx()), "明细.xlsx").kind == "xlsx"


def test_size_limit(settings: Any) -> None:
    settings.PUBLICATION_MAX_FILE_BYTES = 1024
    with pytest.raises(DomainError) as e:
        content.document(io.BytesIO(_pdf() + b" " * 2048), "big.pdf")
    assert e.value.code == "file_too_large"


def test_upload_api_and_access(actors: Actors) -> None:
    staff = actors.client("village_staff")
    pk = staff.post("/api/publication/posts/", {"channel": "notice", "title": "停水通知"}, format="json").json()["id"]
    r = staff.post(f"/api/publication/posts/{pk}/attachments/", {"file": io.BytesIO(_jpeg(gps=True))}, format="multipart")
    assert r.status_code == 400  # no file name: DRF refuses the part
    f = io.BytesIO(_jpeg())
    f.name = "photo.jpg"
    r = staff.post(f"/api/publication/posts/{pk}/attachments/", {"file": f}, format="multipart")
    assert r.status_code == 201, r.content
    url = r.json()["url"]
    bad = io.BytesIO(b"<html>not a pdf</html>")
    bad.name = "通知.pdf"
    r = staff.post(f"/api/publication/posts/{pk}/attachments/", {"file": bad}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "unsupported_file"
    # A draft's files: its staff yes, residents and other villages no.
    assert staff.get(url).status_code == 200
    assert actors.client("resident").get(url).status_code == 404
    assert actors.client("neighbour_staff").get(url).status_code == 404
    detail = staff.get(f"/api/publication/posts/{pk}/").json()
    assert detail["cover_url"] == url
