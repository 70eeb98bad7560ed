"""End-to-end: polling day in 民政易社区端 on a phone (390×844) in Debian's Chromium.

The clerk prints the voter cards (a background job on a real worker, its progress bar on the page);
the printed PDF is read back (it renders, carries the election committee's seal, and each QR decodes
to a card the platform signed); one card's QR, cut from that PDF, becomes the video of Chromium's fake
camera; the clerk opens the scan page, the camera reads the card: "valid" → issue → the next read of
the same card says "already used" with the station and the clerk. Then the count, the results and
the announcement a resident of that community reads (and the neighbouring community's does not).
"""
from __future__ import annotations

import subprocess
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD
from .test_app_publication import PHONE, Phone, phones  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_y4m(path: Path, image: Image.Image, *, size: tuple[int, int] = (640, 480), frames: int = 10) -> None:
    """A Y4M video (4:2:0) of ``image`` centred on white: what Chromium's fake camera plays, looped."""
    w, h = size
    frame = Image.new("RGB", size, "white")
    img = image.convert("RGB")
    img.thumbnail((int(h * 0.8), int(h * 0.8)))
    frame.paste(img, ((w - img.width) // 2, (h - img.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (w // 2, h // 2)
    planes = y.tobytes() + cb.resize(half, Image.Resampling.BOX).tobytes() + cr.resize(half, Image.Resampling.BOX).tobytes()
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + planes)


def card_qr_from_pdf(pdf: Path, payload: str, tmp: Path) -> Image.Image:
    """The QR of the card whose code is ``payload``, cut out of the printed PDF."""
    import zxingcpp

    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp / "sheet")], check=True)
    for page in sorted(tmp.glob("sheet*.png")):
        img = Image.open(page)
        for r in zxingcpp.read_barcodes(img):
            if r.text == payload:
                p = r.position
                xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
                ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
                pad = (max(xs) - min(xs)) // 6
                return img.crop((min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad))
    raise AssertionError("the card's QR is not in the printed PDF")


@pytest.fixture
def camera_phone(browser: Any, live_server: Any) -> Generator[Any, None, None]:
    """A phone whose camera films a given video (Chromium's fake capture device): a second Chromium
    launched by the session's Playwright with the fake-camera switches."""
    opened: list[Any] = []

    def make(username: str, video: Path) -> Phone:
        b = browser.browser_type.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        opened.append(b)
        phone = Phone.__new__(Phone)
        phone.context = b.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True,
                                      has_touch=True, permissions=["camera"])
        phone.page = phone.context.new_page()
        phone.page.set_default_timeout(20_000)
        phone.base_url = live_server.url
        phone.errors = []
        phone.page.on("pageerror", lambda e: phone.errors.append(str(e)))
        phone.page.goto(f"{live_server.url}/app/")
        phone.page.fill("#signin input[name=username]", username)
        phone.page.fill("#signin input[name=password]", PASSWORD)
        phone.page.click("#signin button[type=submit]")
        phone.page.wait_for_function("window.__appReady === true")
        return phone

    yield make
    for b in opened:
        b.close()


def test_cards_printed_scanned_issued_then_already_used(phones: Any, camera_phone: Any, celery_worker: Any,  # noqa: F811
                                                        demo: Any, tmp_path: Path) -> None:
    from core.documents.models import Document
    from polling import cards
    from polling.models import Issuance, VoterCard
    from polling.tests.factory import polling_day

    demo.reset()
    day = polling_day(demo.community, voters=12)
    staff_user = demo.village_staff

    # 1. The clerk prints the voter cards from the app: a job with its progress bar.
    staff = phones(staff_user.username)
    staff.page.click("#tabbar a[data-tab='#/staff']")
    staff.page.click("a[data-menu='#/staff/polling']")
    staff.page.click(f"a[data-election='{day.election.pk}']")
    staff.page.click("#print-cards")
    staff.page.wait_for_selector("#cards-job[data-status='done']", timeout=180_000)
    assert staff.page.inner_text("#cards-job .job-percent") == "100%"
    staff.page.locator("#cards-job").scroll_into_view_if_needed()
    staff.shot("polling-cards-printed")
    assert VoterCard.objects.filter(election=day.election, document__isnull=False).count() == 12
    doc = Document.objects.get(kind="polling.voter_cards")
    pdf = Path(doc.file.path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.replace(" ", "")
    assert "选民证" in text and day.voters[0].name in text
    assert doc.seals.filter(kind="election_committee").exists()

    # 2. One card's QR, cut out of the printed PDF, is what the scanning phone's camera sees.
    card = VoterCard.objects.get(election=day.election, voter=day.voters[4])
    payload = cards.payload(card.token)
    qr = card_qr_from_pdf(pdf, payload, tmp_path)
    video = tmp_path / "card.y4m"
    write_y4m(video, qr)

    # 3. Polling opens (the vote and its ballot from the approved candidates).
    staff.page.reload()
    staff.page.wait_for_function("window.__appReady === true")
    staff.page.click("#open-vote")
    staff.page.wait_for_selector("[data-vote] a[data-scan]")
    vote_id = int(staff.page.get_attribute("[data-vote]", "data-vote") or 0)

    # 4. The scan: valid → issue → the same card again: already used, where and by whom.
    clerk = camera_phone(staff_user.username, video)
    clerk.page.goto(f"{clerk.base_url}/app/#/staff/polling/{day.election.pk}")
    clerk.page.wait_for_function("window.__appReady === true")
    clerk.page.click(f"[data-vote='{vote_id}'] a[data-scan='{day.centre.pk}']")
    clerk.page.wait_for_selector("#scan-result[data-status='valid']", timeout=30_000)
    assert day.voters[4].name in clerk.page.inner_text("#scan-result")
    clerk.shot("polling-scan-valid")
    clerk.page.click("#scan-issue")
    clerk.page.wait_for_selector("#scan-result[data-status='issued']")
    assert "已发放选票 1 张" in clerk.page.inner_text("#scan-result")
    issued = Issuance.objects.get(vote_id=vote_id, voter=day.voters[4])
    assert issued.station == day.centre and issued.clerk == staff_user and issued.card == card
    clerk.page.wait_for_selector("#scan-result[data-status='used']", timeout=30_000)
    used = clerk.page.inner_text("#scan-result")
    assert "已使用" in used and "中心会场" in used
    assert clerk.page.inner_text("#scan-issued") == "1"
    clerk.shot("polling-scan-used")
    assert Issuance.objects.filter(vote_id=vote_id).count() == 1
    clerk.close()
