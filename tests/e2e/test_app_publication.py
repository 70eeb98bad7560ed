"""End-to-end: 民政易 on a phone (390×844) in Debian's Chromium — write, review, publish, escalate to the
town and the district, reject, withdraw — each step through the app's own screens."""
from __future__ import annotations

import io
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .conftest import PASSWORD, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _jpeg_with_gps(path: Path) -> None:
    img = Image.new("RGB", (2400, 1600), (70, 130, 180))
    for x in range(0, 2400, 200):
        img.paste((240, 200, 60), (x, 600, x + 100, 1000))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (29.0, 35.0, 10.0), 3: "E", 4: (106.0, 31.0, 5.0)}  # GPS IFD
    img.save(path, "JPEG", exif=exif.tobytes())


def _pdf(path: Path) -> None:
    img = Image.new("RGB", (600, 800), "white")
    img.save(path, "PDF")


class Phone:
    """One person's phone: a browser context signed in to 民政易."""

    def __init__(self, browser: Any, base_url: str, username: str) -> None:
        self.context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True,
                                           has_touch=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.base_url = base_url
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{base_url}/app/")
        self.page.fill("#signin input[name=username]", username)
        self.page.fill("#signin input[name=password]", PASSWORD)
        self.page.click("#signin button[type=submit]")
        self.page.wait_for_function("window.__appReady === true")

    def open(self, hash_: str) -> None:
        url = f"{self.base_url}/app/{hash_}"
        same_document = self.page.url.startswith(f"{self.base_url}/app/")
        self.page.goto(url)
        if same_document:  # a hash-only goto keeps the old page state: load it afresh
            self.page.reload()
        self.page.wait_for_function("window.__appReady === true")

    def home_titles(self) -> list[str]:
        self.open("#/")
        self.page.wait_for_selector("#headline-list .card, #headline-list .empty")
        return self.page.locator("#headline-list .card .card-title").all_inner_texts()

    def act(self, action: str, reason: str = "") -> None:
        try:
            self.page.wait_for_selector(f"button[data-action={action}]", timeout=10_000)
        except Exception:
            self.shot("debug-act")
            raise AssertionError(self.page.inner_text("#view")) from None
        sel = f"#timeline li[data-action={action}]"
        before = self.page.locator(sel).count()
        self.page.click(f"button[data-action={action}]")
        if reason:
            self.page.fill("#reason-form textarea", reason)
            self.page.click("#reason-ok")
        self.page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[sel, before])

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_function("[...document.images].every((i) => i.complete)")
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


@pytest.fixture
def phones(browser: Any, live_server: Any) -> Generator[Any, None, None]:
    opened: list[Phone] = []

    def make(username: str) -> Phone:
        p = Phone(browser, live_server.url, username)
        opened.append(p)
        return p

    yield make
    for p in opened:
        p.close()


def test_post_reviewed_published_and_widened(phones: Any, demo: Any, tmp_path: Path) -> None:
    from audit.models import AuditEvent
    from publication.models import Post

    photo, pdf = tmp_path / "活动照片.jpg", tmp_path / "活动方案.pdf"
    _jpeg_with_gps(photo)
    _pdf(pdf)
    title = "五星路社区邻里节圆满举办"

    # 1. Village staff write a 动态 post with an image and a PDF and submit it.
    staff = phones(demo.village_staff.username)
    staff.page.click("#tabbar a[data-tab='#/staff/write']")
    staff.page.select_option("#write-form select[name=channel]", "headline")
    staff.page.select_option("#write-form select[name=column]", "updates")
    staff.page.fill("#write-form input[name=title]", title)
    staff.page.fill("#write-form textarea[name=body]", "本周六下午，社区广场举办邻里节。\n感谢志愿者的辛勤付出。")
    staff.page.set_input_files("#write-form input[name=images]", str(photo))
    staff.page.set_input_files("#write-form input[name=files]", str(pdf))
    staff.shot("app-staff-write")
    staff.page.click("#save-submit")
    staff.page.wait_for_selector("#post-state.submitted")
    post = Post.objects.get(title=title)
    assert post.state == "submitted" and post.column == "updates"
    kinds = sorted(post.attachments.values_list("kind", flat=True))
    assert kinds == ["image", "pdf"]
    stored = Image.open(io.BytesIO(post.attachments.get(kind="image").file.read()))
    assert stored.format == "JPEG" and max(stored.size) <= 1920 and not stored.getexif()

    # 2. The village reviewer approves from the review queue.
    reviewer = phones(demo.village_reviewer.username)
    reviewer.page.click("#tabbar a[data-tab='#/staff/queue']")
    reviewer.page.click(f"#box-queue a[data-post-id='{post.pk}']")
    reviewer.page.wait_for_selector("#post-state.submitted")
    reviewer.page.wait_for_selector("article.manage img.post-image")
    reviewer.shot("app-review")
    reviewer.act("approve")
    assert reviewer.page.inner_text("#post-state") == "已发布"

    # 3. Residents of that village see it; residents of the neighbouring village do not.
    resident = phones(demo.resident.username)
    assert title in " ".join(resident.home_titles())
    resident.page.click(f"#headline-list a[data-post-id='{post.pk}']")
    resident.page.wait_for_selector("article.post img.post-image")
    assert "感谢志愿者" in resident.page.inner_text("article.post")
    assert resident.page.locator("article.post a.file").count() == 1
    resident.shot("app-resident-post")
    neighbour = phones(demo.neighbour_resident.username)
    assert title not in " ".join(neighbour.home_titles())

    # 4. Sent up to the town; the town reviewer approves; the neighbouring village now sees it.
    staff.open(f"#/staff/post/{post.pk}")
    staff.act("escalate")
    town = phones(demo.town_reviewer.username)
    town.page.click("#tabbar a[data-tab='#/staff/queue']")
    town.page.click(f"#box-queue a[data-post-id='{post.pk}']")
    town.act("approve_escalation")
    assert town.page.inner_text("#post-audience") == demo.town.name
    assert title in " ".join(neighbour.home_titles())
    neighbour.shot("app-resident-home")

    # 5. The town passes it on; the district approves; the whole district sees it.
    town.act("escalate")
    district = phones(demo.district_reviewer.username)
    district.page.click("#tabbar a[data-tab='#/staff/queue']")
    district.page.click(f"#box-queue a[data-post-id='{post.pk}']")
    district.act("approve_escalation")
    assert district.page.inner_text("#post-audience") == demo.district.name
    other = phones(demo.other_town_admin.username)
    assert title in " ".join(other.home_titles())
    district.shot("app-timeline")
    events = [e for e in district.page.locator("#timeline li").all_inner_texts()]
    assert len(events) == 8 and "上级审核通过" in events[-1]

    # 6. Withdrawn: gone for residents, still in the audit trail.
    staff.open(f"#/staff/post/{post.pk}")
    staff.act("withdraw", "活动信息需更正")
    assert title not in " ".join(resident.home_titles())
    assert AuditEvent.objects.filter(model="publication.Post", object_id=str(post.pk), reason="活动信息需更正").exists()


def test_rejected_post_tells_the_author_why(phones: Any, demo: Any) -> None:
    from publication.models import Post

    staff = phones(demo.village_staff.username)
    staff.open("#/staff/write")
    staff.page.select_option("#write-form select[name=channel]", "affairs")
    staff.page.select_option("#write-form select[name=category]", "finance")
    staff.page.fill("#write-form input[name=title]", "2026年3月财务收支公开")
    staff.page.fill("#write-form textarea[name=body]", "本月收入 12,000 元，支出 8,500 元。")
    staff.page.click("#save-submit")
    staff.page.wait_for_selector("#post-state.submitted")
    post = Post.objects.get(title="2026年3月财务收支公开")
    reviewer = phones(demo.village_reviewer.username)
    reviewer.open(f"#/staff/post/{post.pk}")
    reviewer.act("reject", "请附上收支明细表")
    staff.open("#/staff/drafts")
    staff.page.wait_for_selector(f"#box-drafts a[data-post-id='{post.pk}']")
    assert "请附上收支明细表" in staff.page.inner_text(f"#box-drafts a[data-post-id='{post.pk}']")
    staff.page.click(f"#box-drafts a[data-post-id='{post.pk}']")
    assert "退回原因：请附上收支明细表" in staff.page.inner_text("#rejection")
    staff.shot("app-rejected")


def test_finance_item_printed_from_the_app(phones: Any, demo: Any, settings: Any, tmp_path: Path) -> None:
    from core.documents.seals import upload_seal
    from core.testing import seal_png
    from core.workflow import services as workflow
    from publication import services
    from publication.models import Post

    settings.MEDIA_ROOT = str(tmp_path / "media")
    upload_seal(demo.village_admin, demo.community, "committee", io.BytesIO(seal_png()))
    post = services.create_post(demo.village_staff, demo.community, {
        "channel": "affairs", "category": "finance", "title": "2026年4月财务收支公开", "body": "本月收入 9,000 元。"})
    workflow.submit(post, demo.village_staff)
    workflow.approve(Post.objects.get(pk=post.pk), demo.village_reviewer)
    staff = phones(demo.village_staff.username)
    staff.open(f"#/staff/post/{post.pk}")
    staff.page.click("#print-pdf")
    link = staff.page.wait_for_selector("#printed-link")
    assert "2026年4月财务收支公开" in link.inner_text()
    pdf = staff.page.request.get(staff.base_url + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    staff.shot("app-print")
