"""A 村务公开 finance item printed for the notice board: Chinese text, the attached workbook as a
table, the committee's seal in colour where the signature is, read back from the PDF by poppler."""
from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from core.documents.seals import upload_seal
from core.testing import Actors, seal_png
from core.workflow import services as workflow
from PIL import Image

from publication import services
from publication.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _workbook() -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收支明细"
    ws.append(["日期", "摘要", "收入（元）", "支出（元）"])
    ws.append(["2026-03-02", "集体土地租金", 12000, None])
    ws.append(["2026-03-15", "道路维修", None, 8500.5])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "三月收支.xlsx"
    return out


def _published_finance(demo: Any) -> Post:
    post = services.create_post(demo.village_staff, demo.community, {
        "channel": "affairs", "category": "finance", "title": "2026年3月财务收支公开",
        "body": "本月集体经济收入 12,000 元，支出 8,500.5 元，明细如下。"})
    services.add_attachment(demo.village_staff, post, _workbook(), "三月收支.xlsx")
    workflow.submit(post, demo.village_staff)
    return workflow.approve(Post.objects.get(pk=post.pk), demo.village_reviewer)


def test_finance_item_prints_with_seal_and_chinese_text(actors: Actors, demo: Any, tmp_path: Path) -> None:
    upload_seal(demo.village_admin, demo.community, "committee", io.BytesIO(seal_png()))
    post = _published_finance(demo)
    r = actors.client("village_staff").post(f"/api/publication/posts/{post.pk}/print/")
    assert r.status_code == 201, r.content
    pdf = actors.client("village_staff").get(r.json()["url"])
    data = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert data.startswith(b"%PDF")
    (tmp_path / "p.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "p.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    for expected in ("2026年3月财务收支公开", "财务", "集体土地租金", "12,000", "8,500.50", demo.community.name):
        assert expected in text, expected
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "p.pdf"),
                    str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page.png").convert("RGB")
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or Path(__file__).resolve().parents[3] / "var" / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    page.save(shots / "publication-finance-print.png")
    w, h = page.size
    px: Any = page.load()
    ink = sum(1 for x in range(0, w, 3) for y in range(0, h, 3) if sum(px[x, y]) < 600)
    assert ink > 1500, "the page is blank"
    red = [(x, y) for x in range(0, w, 2) for y in range(0, h, 2)
           if px[x, y][0] > 150 and px[x, y][1] < 90 and px[x, y][2] < 90]
    assert len(red) > 300, "no seal on the page"
    xs, ys = [p[0] for p in red], [p[1] for p in red]
    assert min(xs) > w / 2 and min(ys) > h / 4  # the signature block: right, below the text
    assert 110 < max(xs) - min(xs) < 190  # a 40 mm seal at 100 dpi


def test_print_needs_a_published_affairs_item_a_seal_and_the_jurisdiction(actors: Actors, demo: Any) -> None:
    post = _published_finance(demo)
    r = actors.client("village_staff").post(f"/api/publication/posts/{post.pk}/print/")
    assert r.status_code == 400 and r.json()["code"] == "seal_missing"
    upload_seal(demo.village_admin, demo.community, "committee", io.BytesIO(seal_png()))
    assert actors.client("neighbour_staff").post(f"/api/publication/posts/{post.pk}/print/").status_code == 404
    assert actors.client("resident").post(f"/api/publication/posts/{post.pk}/print/").status_code == 403
    draft = services.create_post(demo.village_staff, demo.community, {"channel": "affairs", "category": "finance",
                                                                      "title": "未审核"})
    r = actors.client("village_staff").post(f"/api/publication/posts/{draft.pk}/print/")
    assert r.status_code == 409 and r.json()["code"] == "not_published"
