"""Printable documents: seal checks and uploads (audited, scoped), PDFs with seals in colour and a
QR that decodes to the verification page, the same template as a web page, and batches as jobs."""
from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from audit.models import AuditEvent
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from core.documents import render as rendering
from core.documents.models import Document, Seal, SealKind
from core.documents.seals import check_png, upload_seal
from core.errors import DomainError
from core.jobs import start_job
from core.jobs.models import JobStatus
from core.testing import Actors, seal_png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = "https://gov.example.cn"
    return tmp_path / "media"


def _upload(user: Any, unit: Any, kind: str = SealKind.COMMITTEE, **png: Any) -> Seal:
    return upload_seal(user, unit, kind, io.BytesIO(seal_png(**png)))


def _page_image(pdf: bytes, tmp: Path, page: int = 1, dpi: int = 100) -> Image.Image:
    (tmp / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(tmp / "doc.pdf"), str(tmp / "page")], check=True)
    return Image.open(tmp / "page.png").convert("RGB")


# -- seal checks ----------------------------------------------------------------------------------------
def test_a_good_seal_passes_and_is_re_encoded() -> None:
    img = Image.open(io.BytesIO(seal_png()))
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", "hidden text")
    raw = io.BytesIO()
    img.save(raw, format="PNG", pnginfo=meta)
    checked = check_png(raw.getvalue() + b"trailing bytes")
    assert (checked.width, checked.height, checked.transparent, checked.warnings) == (400, 400, True, [])
    assert b"hidden text" not in checked.data and b"trailing" not in checked.data
    assert Image.open(io.BytesIO(checked.data)).mode == "RGBA"


@pytest.mark.parametrize(("make", "code"), [
    (lambda: b"GIF89a" + b"\0" * 100, "seal_not_png"),
    (lambda: _jpeg(), "seal_not_png"),
    (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "seal_corrupt"),
    (lambda: seal_png()[:600], "seal_corrupt"),
    (lambda: seal_png(size=100), "seal_dimensions"),
    (lambda: seal_png(size=2100), "seal_dimensions"),
    (lambda: _strip(), "seal_aspect"),
    (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), "seal_too_large"),
])
def test_bad_seals_are_refused(make: Any, code: str) -> None:
    with pytest.raises(DomainError) as err:
        check_png(make())
    assert err.value.code == code


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), "red").save(out, format="JPEG")
    return out.getvalue()


def _strip() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (900, 300), (200, 0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def test_opaque_or_grey_seals_are_accepted_with_a_warning() -> None:
    assert "透明背景" in check_png(seal_png(transparent=False)).warnings[0]
    assert any("灰度" in w for w in check_png(seal_png(colour=(90, 90, 90))).warnings)


# -- uploads: roles, scope, audit ---------------------------------------------------------------------
UPLOAD = {"village_staff": 201, "village_admin": 201, "town_staff": 201, "district_admin": 201,
          "village_reviewer": 403, "town_supervisor": 403, "neighbour_staff": 404, "other_town_admin": 404,
          "resident": 403, "anonymous": 401}


@pytest.mark.parametrize("name", sorted(UPLOAD))
def test_who_may_upload_a_communitys_seal(actors: Actors, demo: Any, name: str) -> None:
    image = SimpleUploadedFile("seal.png", seal_png(), content_type="image/png")
    r = actors.client(name).post("/api/seals/", {"unit": demo.community.pk, "kind": "committee", "image": image},
                                 format="multipart")
    assert r.status_code in ((401, 403) if UPLOAD[name] == 401 else (UPLOAD[name],)), r.content
    assert Seal.objects.exists() is (UPLOAD[name] == 201)
    if r.status_code == 201:
        body = r.json()
        assert body["kind_label"] == "村(居)民委员会印章" and body["active"] and body["warnings"] == []
        assert actors.client(name).get(body["image_url"]).status_code == 200


def test_replacing_a_seal_keeps_the_old_one_and_is_audited(actors: Actors, demo: Any) -> None:
    first = _upload(demo.village_admin, demo.community)
    second = _upload(demo.village_staff, demo.community, transparent=False)
    first.refresh_from_db()
    assert (first.active, second.active) == (False, True) and second.warnings
    events = AuditEvent.objects.filter(model="core.Seal").order_by("id")
    assert [(e.action, e.object_id) for e in events] == [
        ("create", str(first.pk)), ("update", str(first.pk)), ("create", str(second.pk))]
    assert events[1].after == {"active": False} and events[0].unit_path == demo.community.path
    listed = actors.client("village_staff").get(f"/api/seals/?unit={demo.community.pk}").json()["results"]
    assert [s["id"] for s in listed] == [second.pk]
    assert len(actors.client("village_staff").get("/api/seals/?all=1").json()["results"]) == 2
    assert actors.client("neighbour_staff").get(f"/api/seals/{second.pk}/image/").status_code == 404
    r = actors.client("village_staff").delete(f"/api/seals/{second.pk}/")
    assert r.status_code == 200 and r.json()["active"] is False


def test_upload_refusals_are_clear_json(actors: Actors, demo: Any) -> None:
    c = actors.client("village_staff")
    r = c.post("/api/seals/", {"unit": demo.community.pk, "kind": "committee",
                               "image": SimpleUploadedFile("seal.png", _jpeg())}, format="multipart")
    assert (r.status_code, r.json()["code"]) == (400, "seal_not_png")
    r = c.post("/api/seals/", {"unit": demo.community.pk, "kind": "nope",
                               "image": SimpleUploadedFile("seal.png", seal_png())}, format="multipart")
    assert (r.status_code, r.json()["code"]) == (400, "invalid")
    assert not Seal.objects.exists()


# -- rendering ---------------------------------------------------------------------------------------
def test_pdf_has_chinese_text_the_seal_in_colour_and_a_qr_to_its_record(demo: Any, tmp_path: Path, client: Any) -> None:
    seal = _upload(demo.village_admin, demo.community)
    doc = rendering.render_pdf("documents/sample.html", {"heading": "村务公开：财务收支"}, unit=demo.community,
                               seals=["committee"], kind="publication.finance", title="2026年1月财务公开",
                               user=demo.village_staff)
    data = doc.file.read()
    assert data.startswith(b"%PDF") and doc.pages == 1 and doc.size == len(data)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert list(doc.seals.all()) == [seal]
    page = _page_image(data, tmp_path)
    w, h = page.size
    pixels: Any = page.load()
    ink = sum(1 for x in range(0, w, 2) for y in range(0, h, 2) if sum(pixels[x, y]) < 600)
    assert ink > 3000, "the page is blank"  # a blank A4 at 100 dpi has none; this page ~6,500
    red = [(x, y) for x in range(0, w, 2) for y in range(0, h, 2)
           if pixels[x, y][0] > 150 and pixels[x, y][1] < 90 and pixels[x, y][2] < 90]
    assert len(red) > 300, "no seal in colour on the page"
    xs, ys = [p[0] for p in red], [p[1] for p in red]
    assert min(xs) > w / 2 and min(ys) > h / 3  # where the signature block is: right, below the heading
    assert 110 < max(xs) - min(xs) < 190  # a 40 mm seal at 100 dpi is ~157 px
    codes = zxingcpp.read_barcodes(page)
    assert [c.text for c in codes] == [f"https://gov.example.cn/verify/{doc.token}"]
    # The QR's page, for anyone holding the paper: the record, no sign-in.
    r = client.get(f"/verify/{doc.token}")
    html = r.content.decode()
    assert r.status_code == 200 and doc.sha256 in html and demo.community.name in html and "2026年1月财务公开" in html
    assert r["Cache-Control"] == "no-store"
    r = client.get("/verify/forged-token-000")
    assert r.status_code == 404 and "未找到该文书" in r.content.decode()


def test_the_same_template_renders_as_a_web_page(actors: Actors, demo: Any) -> None:
    seal = _upload(demo.village_admin, demo.community)
    html = rendering.render_html("documents/sample.html", {"heading": "网页版"}, unit=demo.community,
                                 seals=["committee"], title="网页版")
    assert "网页版" in html and f"/api/seals/{seal.pk}/image/" in html and "样张" in html
    c = actors.client("village_staff")
    r = c.get(f"/api/seals/{seal.pk}/preview/")
    assert r.status_code == 200 and r["X-Frame-Options"] == "SAMEORIGIN" and "关于召开村民会议的通知" in r.content.decode()
    r = c.get(f"/api/seals/{seal.pk}/preview.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert not Document.objects.exists()  # a sample is not an issued document
    assert actors.client("neighbour_staff").get(f"/api/seals/{seal.pk}/preview/").status_code == 404


def test_a_missing_seal_is_named(demo: Any) -> None:
    with pytest.raises(DomainError) as err:
        rendering.render_pdf("documents/sample.html", {}, unit=demo.community, seals=["election_committee"],
                             kind="elections.roll", title="选民名单")
    assert err.value.code == "seal_missing" and "选举委员会印章" in err.value.message


def test_the_renderer_fetches_nothing_outside_the_seals(settings: Any) -> None:
    fetcher = rendering.local_only_fetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:1/x.png", "https://example.com/a.png",
                f"file://{settings.MEDIA_ROOT}/seals/../../secret"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"


def test_documents_are_scoped(actors: Actors, demo: Any) -> None:
    doc = rendering.render_pdf("documents/sample.html", {}, unit=demo.community, kind="publication.notice",
                               title="通知")
    assert actors.client("village_staff").get(f"/api/documents/{doc.pk}/").json()["verify_url"].endswith(doc.token)
    r = actors.client("town_staff").get(f"/api/documents/{doc.pk}/file/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert actors.client("neighbour_staff").get(f"/api/documents/{doc.pk}/").status_code == 404
    assert actors.client("resident").get(f"/api/documents/{doc.pk}/").status_code == 403


@pytest.mark.slow
def test_a_batch_runs_as_a_job_on_a_real_worker(celery_worker: Any, demo: Any, tmp_path: Path) -> None:
    _upload(demo.village_admin, demo.community)
    _upload(demo.village_admin, demo.community, kind=SealKind.ELECTION_COMMITTEE, colour=(200, 0, 60))
    items = [{"page": i + 1, "heading": f"第{i + 1}号通知"} for i in range(30)]
    job = start_job("documents.batch", user=demo.village_staff, unit=demo.community, params={
        "template": "documents/sample.html", "items": items, "kind": "tests.batch", "title": "批量通知",
        "seals": ["committee", "election_committee"]})
    celery_worker.wait_for(job, timeout=180)
    assert job.status == JobStatus.DONE, (job.error, celery_worker.log()[-2000:])
    result = job.result or {}
    doc = Document.objects.get(pk=result["document"])
    data = job.result_file.read()
    assert doc.pages == 30 and hashlib.sha256(data).hexdigest() == doc.sha256 == result["sha256"]
    page = _page_image(data, tmp_path, page=30)
    assert [c.text for c in zxingcpp.read_barcodes(page)] == [f"https://gov.example.cn/verify/{doc.token}"]
