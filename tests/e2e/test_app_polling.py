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

from .conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, MapPage
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


def return_boxes(staff: Any, day: Any, *, centre: int) -> None:
    """The clerk records through the count page the ballots found in each box (all at the centre)."""
    for box, n in ((day.centre, centre), (day.station, 0), (day.mobile, 0)):
        staff.page.fill(f"input[name=returned-{box.pk}]", str(n))
        staff.page.click(f"button[data-returned='{box.pk}']")
        staff.page.wait_for_selector(f"[data-box='{box.pk}']:has-text('收回 {n}')")


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
                                      has_touch=True, permissions=["camera"],
                                      # as every e2e context (conftest): wait_for_function evaluates strings
                                      bypass_csp=True)
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
                                                        map_page: MapPage, demo: Any, tmp_path: Path) -> None:
    from core.documents.models import Document, Seal
    from core.testing import seal_png
    from polling import cards
    from polling.models import Issuance, VoterCard
    from polling.tests.factory import polling_day

    demo.reset()
    day = polling_day(demo.community, voters=12, with_seals=False)
    staff_user = demo.village_staff

    # 0. The election committee's seal is uploaded in the map client's 印章 tab.
    png = tmp_path / "seal.png"
    png.write_bytes(seal_png(500))
    map_page.open_map(staff_user.username)
    map_page.page.click("#tabs button[data-tab='seals']")
    map_page.page.wait_for_selector(".seal-card[data-kind='election_committee']")
    map_page.page.set_input_files("#seal-file-election_committee", str(png))
    map_page.page.wait_for_selector(".seal-card[data-kind='election_committee'] img.seal-thumb")
    assert Seal.objects.filter(unit=demo.community, kind="election_committee", active=True).exists()

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
    assert day.voters[0].name in text and f"No.{day.election.pk:04d}-00001" in text  # the fixed part is the sheet's background image
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


def test_count_results_announcement_read_by_residents_of_that_community_only(phones: Any, demo: Any) -> None:  # noqa: F811
    from elections.codes import Stage
    from elections.models import Election
    from polling.models import Announcement, BallotEntry, Vote
    from polling.tests.factory import polled
    from publication.models import Post

    demo.reset()
    day, vote = polled(demo, voted=12)
    staff_user = demo.village_staff
    d = day.candidates["director"]
    m = day.candidates["member"]

    # 1. The count: boxes reconciled, twelve ballots entered one by one through the page.
    staff = phones(staff_user.username)
    staff.open(f"#/staff/count/{vote.pk}")
    return_boxes(staff, day, centre=12)
    for i in range(12):
        staff.page.check(f"fieldset[data-post=director] input[value='{(d[0] if i < 8 else d[1]).pk}']")
        staff.page.check(f"fieldset[data-post=member] input[value='{m[0].pk}']")
        staff.page.check(f"fieldset[data-post=member] input[value='{(m[1] if i < 9 else m[2]).pk}']")
        if i == 11:
            staff.page.fill("input[name=writein-member]", "周八")
        staff.page.click("#enter-ballot")
        staff.page.wait_for_function("(n) => document.querySelector('#entered').textContent.includes(`第 ${n} 张`)", arg=i + 1)
    assert BallotEntry.objects.filter(vote=vote).count() == 12
    staff.open(f"#/staff/count/{vote.pk}")
    staff.page.wait_for_selector("#outcome li[data-code=turnout_ok]")
    # the last ballot marked three members for two seats: void for that post, as the rule says
    assert "按规则作废" in staff.page.inner_text("#outcome") and "overvote" not in staff.page.inner_text("#outcome")
    staff.page.click("#conclude")
    # the page is drawn again with the stored outcome: no 确认 button, the heading without 预览
    staff.page.wait_for_selector("#conclude", state="detached")
    staff.page.wait_for_function("document.querySelector('#outcome h3')?.textContent === '计票结果'")
    staff.page.wait_for_selector("#outcome-valid[data-valid=true]")
    text = staff.page.inner_text("#outcome")
    assert "当选" in text and "第十五条" in text
    staff.shot("polling-count-outcome")
    counted = Vote.objects.get(pk=vote.pk)
    assert counted.status == "counted"
    assert sorted(e["name"] for e in counted.outcome["elected"]) == sorted([d[0].name, m[0].name, m[1].name])

    # 2. The results announcement: PDF with both seals, submitted for review.
    Election.objects.filter(pk=day.election.pk).update(stage=Stage.RESULTS)
    staff.open(f"#/staff/polling/{day.election.pk}")
    staff.page.click("button[data-announce=results]")
    staff.page.wait_for_selector("#announcements a[target=_blank]")
    a = Announcement.objects.get(election=day.election, kind="results")
    assert a.post is not None and a.post.state == "submitted"
    assert set(a.document.seals.values_list("kind", flat=True)) == {"committee", "election_committee"}
    pdf = subprocess.run(["pdftotext", a.document.file.path, "-"], capture_output=True, text=True, check=True).stdout
    assert d[0].name in pdf and "选举结果公告" in pdf.replace(" ", "")

    # 3. The community's reviewer approves it in 民政易.
    reviewer = phones(demo.village_reviewer.username)
    reviewer.page.click("#tabbar a[data-tab='#/staff/queue']")
    reviewer.page.click(f"#box-queue a[data-post-id='{a.post.pk}']")
    reviewer.act("approve")
    assert Post.objects.get(pk=a.post.pk).state == "published"

    # 4. A resident of that community reads it; the neighbouring community's resident does not.
    resident = phones(demo.resident.username)
    assert a.post.title in " ".join(resident.home_titles())
    resident.page.click(f"#headline-list a[data-post-id='{a.post.pk}']")
    resident.page.wait_for_selector("article.post a.file")
    assert d[0].name in resident.page.inner_text("article.post")
    resident.shot("polling-results-resident")
    neighbour = phones(demo.neighbour_resident.username)
    assert a.post.title not in " ".join(neighbour.home_titles())


def test_proxy_recorded_within_the_rules_from_the_app(phones: Any, demo: Any) -> None:  # noqa: F811
    from polling.models import Proxy
    from polling.tests.factory import polling_day

    demo.reset()
    day = polling_day(demo.community, voters=8)
    staff = phones(demo.village_staff.username)
    staff.open(f"#/staff/polling/{day.election.pk}")
    principal, holder = day.voters[5], day.voters[6]
    staff.page.select_option("#proxies select[name=principal]", str(principal.pk))
    staff.page.select_option("#proxies select[name=holder]", str(holder.pk))
    assert "配偶" in staff.page.locator("#proxies select[name=relation] option").all_inner_texts()
    staff.page.select_option("#proxies select[name=relation]", "配偶")
    staff.page.fill("#proxies input[name=document]", "WT-001")
    staff.page.click("#add-proxy")
    staff.page.wait_for_selector("#proxies [data-proxy]")
    assert f"{principal.name} → {holder.name}（配偶）" in staff.page.inner_text("#proxies")
    p = Proxy.objects.get(election=day.election)
    assert (p.principal, p.holder, p.relation, p.document, p.status) == (principal, holder, "配偶", "WT-001", "recorded")
    # the same principal a second time is refused with the reason shown
    staff.page.select_option("#proxies select[name=principal]", str(principal.pk))
    staff.page.select_option("#proxies select[name=holder]", str(day.voters[7].pk))
    staff.page.click("#add-proxy")
    staff.page.wait_for_selector("text=已委托他人投票")
    assert Proxy.objects.filter(election=day.election).count() == 1
    staff.page.click(f"button[data-cancel-proxy='{p.pk}']")
    staff.page.wait_for_function("() => !document.querySelector('#proxies [data-proxy]')")
    assert Proxy.objects.get(pk=p.pk).status == "cancelled"


def test_stations_groups_and_ballots_allocated_from_the_app(phones: Any, demo: Any) -> None:  # noqa: F811
    from elections.models import Voter
    from polling import cards, scanning
    from polling.models import BoxCount, Station, Vote, VoterCard
    from polling.tests.factory import polling_day

    from boundaries.levels import Level
    from boundaries.models import AdminUnit

    demo.reset()
    day = polling_day(demo.community, voters=8)
    g1, g2, g3 = AdminUnit.objects.filter(parent=demo.community, level=Level.NEIGHBOURHOOD).order_by("code")[:3]
    Voter.objects.filter(pk__in=[v.pk for v in day.voters[:3]]).update(group=g1)
    Voter.objects.filter(pk__in=[v.pk for v in day.voters[3:5]]).update(group=g2)
    staff = phones(demo.village_staff.username)
    staff.open(f"#/staff/polling/{day.election.pk}")
    staff.page.click("#manage-stations")

    # 1. A new 投票站 for the first group: its three voters are counted beside the group's name.
    staff.page.wait_for_selector("#new-station")
    assert f"{g1.name}（3人）" in staff.page.inner_text("#new-station")
    staff.page.select_option("#new-station select[name=kind]", "station")
    staff.page.fill("#new-station input[name=station_name]", "第二投票站")
    staff.page.check(f"#new-station input[data-group='{g1.pk}']")
    staff.page.click("#add-station")
    staff.page.wait_for_selector("section[data-station] h3:has-text('第二投票站')")
    second = Station.objects.get(election=day.election, name="第二投票站")
    assert second.kind == "station" and list(second.groups.all()) == [g1]
    assert staff.page.inner_text(f"[data-group-station='{g1.pk}']") == "第二投票站"

    # 2. The first 投票站 takes the second and third groups; the first group is taken and cannot be ticked.
    first = f"section[data-station='{day.station.pk}']"
    staff.page.click(f"{first} summary")
    assert staff.page.is_disabled(f"{first} input[data-group='{g1.pk}']")
    staff.page.check(f"{first} input[data-group='{g2.pk}']")
    staff.page.check(f"{first} input[data-group='{g3.pk}']")
    staff.page.click(f"{first} button[data-save-groups]")
    staff.page.wait_for_selector(f"{first} .station-groups:has-text('{g3.name}')")
    assert set(Station.objects.get(pk=day.station.pk).groups.all()) == {g2, g3}
    assert staff.page.inner_text(f"[data-group-station='{g2.pk}']") == "第一投票站"
    assert "不限" in staff.page.inner_text(f"section[data-station='{day.centre.pk}'] .station-groups")
    staff.page.locator("#group-stations").scroll_into_view_if_needed()
    staff.shot("polling-stations-groups")

    # 3. A second station with the same name is refused, the reason in Chinese, nothing stored.
    staff.page.fill("#new-station input[name=station_name]", "第二投票站")
    staff.page.click("#add-station")
    staff.page.wait_for_selector("#toast.error:has-text('已有同名投票站')")
    assert Station.objects.filter(election=day.election).count() == 4

    # 4. The vote opens; the voter cards follow the groups' stations.
    staff.open(f"#/staff/polling/{day.election.pk}")
    assert "第二投票站" in staff.page.inner_text("#stations") and g1.name in staff.page.inner_text("#stations")
    staff.page.click("#open-vote")
    staff.page.wait_for_selector("[data-vote] a[data-allocate]")
    vote = Vote.objects.get(election=day.election)
    cards.ensure_cards(demo.village_staff, day.election)
    assert VoterCard.objects.get(voter=day.voters[0]).station == second
    assert VoterCard.objects.get(voter=day.voters[3]).station == day.station
    for card in VoterCard.objects.filter(election=day.election, station__isnull=True).order_by("id")[:2]:
        scanning.issue(demo.village_staff, vote, day.centre, cards.payload(card.token))

    # 5. Ballots handed to each station, beside the ballots issued by scanning.
    staff.page.click(f"[data-vote='{vote.pk}'] a[data-allocate]")
    centre = f"section[data-box='{day.centre.pk}']"
    staff.page.wait_for_selector(centre)
    assert staff.page.inner_text(f"{centre} [data-fact=issued]") == "2"
    staff.page.fill(f"{centre} input[name=allocated-{day.centre.pk}]", "10")
    staff.page.fill(f"{centre} input[name=spoiled-{day.centre.pk}]", "1")
    staff.page.click(f"{centre} button[data-allocate]")
    staff.page.wait_for_function(f"document.querySelector(\"{centre} [data-fact=allocated]\")?.textContent === '10'")
    assert staff.page.inner_text(f"{centre} [data-fact=left]") == "7"  # 10 handed over, 1 spoiled, 2 issued
    box = BoxCount.objects.get(vote=vote, station=day.centre)
    assert (box.allocated, box.spoiled) == (10, 1)
    # more spoiled than handed over: refused with the reason, nothing stored
    mobile = f"section[data-box='{day.mobile.pk}']"
    staff.page.fill(f"{mobile} input[name=allocated-{day.mobile.pk}]", "3")
    staff.page.fill(f"{mobile} input[name=spoiled-{day.mobile.pk}]", "5")
    staff.page.click(f"{mobile} button[data-allocate]")
    staff.page.wait_for_selector("#toast.error:has-text('作废选票数（5）不能多于领取选票数（3）')")
    box = BoxCount.objects.get(vote=vote, station=day.mobile)
    assert (box.allocated, box.spoiled) == (0, 0)
    staff.page.locator(centre).scroll_into_view_if_needed()
    staff.shot("polling-allocate")
    assert "合计：领取 10 张，作废 1 张，已发票 2 张" in staff.page.inner_text("#allocate-total")
    staff.close()


def test_double_entry_a_and_b_differences_listed_conclude_refused_until_resolved(phones: Any, demo: Any) -> None:  # noqa: F811
    from polling import counting
    from polling.models import BallotEntry, Vote
    from polling.tests.factory import polled

    demo.reset()
    day, vote = polled(demo, voters=8, voted=5)
    staff_user = demo.village_staff
    for box, n in ((day.centre, 5), (day.station, 0), (day.mobile, 0)):
        counting.set_returned(staff_user, vote, box, n)
    d = day.candidates["director"]
    m = day.candidates["member"]
    paper = [(d[0], m[0], m[1])] * 4 + [(d[1], m[0], m[2])]

    def enter(phone: Any, entry: str, ballots: list[tuple[Any, Any, Any]]) -> None:
        phone.open(f"#/staff/count/{vote.pk}")
        phone.page.check(f"#entry-pick input[value={entry}]")
        for i, (director, m1, m2) in enumerate(ballots):
            assert phone.page.input_value("#ballot-entry input[name=number]") == str(i + 1)
            phone.page.check(f"fieldset[data-post=director] input[value='{director.pk}']")
            phone.page.check(f"fieldset[data-post=member] input[value='{m1.pk}']")
            phone.page.check(f"fieldset[data-post=member] input[value='{m2.pk}']")
            phone.page.click("#enter-ballot")
            phone.page.wait_for_function("(n) => document.querySelector('#entered').textContent.includes(`第 ${n} 张`)", arg=i + 1)

    # 1. Clerk A enters the five ballots; clerk B, on another phone, misreads the second one.
    clerk_a = phones(staff_user.username)
    enter(clerk_a, "A", paper)
    clerk_b = phones(demo.village_admin.username)
    misread = [*paper[:1], (d[0], m[0], m[2]), *paper[2:]]
    enter(clerk_b, "B", misread[:2])
    # at once, B is told ballot 2 differs from A, post by post
    compared = clerk_b.page.inner_text("#entry-compared [data-compare=differs]")
    assert "与录入A不一致" in compared and f"委员：录入A {m[0].name}、{m[1].name}" in compared.replace("\n", "")
    assert f"录入B {m[0].name}、{m[2].name}" in compared
    for i, (director, m1, m2) in enumerate(misread[2:], start=3):
        clerk_b.page.check(f"fieldset[data-post=director] input[value='{director.pk}']")
        clerk_b.page.check(f"fieldset[data-post=member] input[value='{m1.pk}']")
        clerk_b.page.check(f"fieldset[data-post=member] input[value='{m2.pk}']")
        clerk_b.page.click("#enter-ballot")
        clerk_b.page.wait_for_function("(n) => document.querySelector('#entered').textContent.includes(`第 ${n} 张`)", arg=i)
        assert clerk_b.page.inner_text("#entry-compared") == "与录入A一致"
    assert BallotEntry.objects.filter(vote=vote, entry="A").count() == BallotEntry.objects.filter(vote=vote, entry="B").count() == 5
    assert BallotEntry.objects.get(vote=vote, number=2, entry="B").entered_by == demo.village_admin

    # 2. The count page lists the difference: which ballot, which post, what each entered.
    clerk_a.open(f"#/staff/count/{vote.pk}")
    row = f"[data-difference='{day.centre.pk}-2']"
    clerk_a.page.wait_for_selector(row)
    assert "1 张选票不一致" in clerk_a.page.inner_text("#differences-count")
    assert clerk_a.page.locator("[data-difference]").count() == 1
    text = clerk_a.page.inner_text(row)
    assert "中心会场 第 2 张" in text and "委员" in text and m[1].name in text and m[2].name in text
    # 3. Concluding is refused while they differ, the reason on screen; nothing counted.
    clerk_a.page.click("#conclude")
    clerk_a.page.wait_for_selector("#conclude-error:not([hidden])")
    refused = clerk_a.page.inner_text("#conclude-error")
    assert "录入A与录入B不一致（1 张：中心会场第 2 张）" in refused and "一致后才能确认" in refused
    clerk_a.page.locator(row).scroll_into_view_if_needed()
    clerk_a.shot("polling-double-entry-differs")
    assert Vote.objects.get(pk=vote.pk).status == "open"

    # 4. The paper ballot says A was right: B is corrected, the entries agree, the count concludes.
    clerk_a.page.click(f"{row} button[data-keep=A]")
    clerk_a.page.wait_for_selector("#differences-none:has-text('录入A与录入B一致')")
    assert BallotEntry.objects.get(vote=vote, number=2, entry="B").marks == BallotEntry.objects.get(vote=vote, number=2, entry="A").marks
    clerk_a.page.click("#conclude")
    clerk_a.page.wait_for_selector("#outcome h3:text-is('计票结果')")  # no longer the preview
    assert clerk_a.page.get_attribute("#outcome-valid", "data-valid") == "true"
    counted = Vote.objects.get(pk=vote.pk)
    assert counted.status == "counted" and counted.outcome["cast"] == 5
    assert sorted(e["name"] for e in counted.outcome["elected"]) == sorted([d[0].name, m[0].name, m[1].name])
    clerk_a.shot("polling-double-entry-concluded")
    clerk_a.close()
    clerk_b.close()


def test_count_from_the_tally_sheet_totals_outcome_cited_then_concluded(phones: Any, demo: Any) -> None:  # noqa: F811
    from polling.models import BallotEntry, Vote
    from polling.tests.factory import polled

    demo.reset()
    day, vote = polled(demo, voted=12)
    staff_user = demo.village_staff
    d = day.candidates["director"]
    m = day.candidates["member"]

    staff = phones(staff_user.username)
    staff.open(f"#/staff/count/{vote.pk}")
    return_boxes(staff, day, centre=12)

    # 1. The clerk switches to the tally sheet: the ballot-by-ballot form gives way to the totals form.
    assert staff.page.is_visible("#ballot-entry") and not staff.page.is_visible("#totals-entry")
    staff.page.check("#mode-pick input[value=totals]")
    staff.page.wait_for_selector("#totals-entry", state="visible")
    assert not staff.page.is_visible("#ballot-entry")

    # 2. A negative figure is refused with the server's reason on the page, nothing kept.
    staff.page.fill(f"input[name=total-director-{d[0].pk}]", "-1")
    staff.page.click("#save-totals")
    staff.page.wait_for_selector("#totals-error:has-text('票数应为非负整数')")
    assert Vote.objects.get(pk=vote.pk).totals is None

    # 3. The sheet: 主任 8 / 4, 委员 9 / 7 / 3 and one write-in 周八 with 1 vote.
    for c, n in ((d[0], 8), (d[1], 4), (m[0], 9), (m[1], 7), (m[2], 3)):
        staff.page.fill(f"input[name=total-{c.post.kind}-{c.pk}]", str(n))
    staff.page.click("button[data-add-writein=member]")
    staff.page.fill("input[name=writein-name-member]", "周八")
    staff.page.fill("input[name=writein-votes-member]", "1")
    staff.page.locator("fieldset[data-totals-post=member]").scroll_into_view_if_needed()
    staff.shot("polling-count-totals-form")
    staff.page.click("#save-totals")
    # the page is drawn again, on the totals, with the preview from them and each rule's citation
    staff.page.wait_for_selector("#totals-kept")
    staff.page.wait_for_selector("#outcome li[data-code=turnout_ok]")
    assert staff.page.is_visible("#totals-entry")
    assert staff.page.input_value(f"input[name=total-member-{m[1].pk}]") == "7"
    assert staff.page.input_value("input[name=writein-name-member]") == "周八"
    kept = Vote.objects.get(pk=vote.pk).totals
    assert kept == {"director": {str(d[0].pk): 8, str(d[1].pk): 4},
                    "member": {str(m[0].pk): 9, str(m[1].pk): 7, str(m[2].pk): 3, "write_in:周八": 1}}
    preview = staff.page.inner_text("#outcome")
    assert "预览" in preview and f"{d[0].name} 8" in preview and "周八 1" in preview
    assert "第十五条" in preview
    staff.page.locator("#outcome").scroll_into_view_if_needed()
    staff.shot("polling-count-totals-preview")

    # 4. 确认计票结果: the stored outcome, from the totals; no ballot was entered one by one.
    staff.page.click("#conclude")
    staff.page.wait_for_selector("#conclude", state="detached")
    staff.page.wait_for_function("document.querySelector('#outcome h3')?.textContent === '计票结果'")
    staff.page.wait_for_selector("#outcome-valid[data-valid=true]")
    text = staff.page.inner_text("#outcome")
    assert "当选" in text and "第十五条" in text
    staff.shot("polling-count-totals-concluded")
    counted = Vote.objects.get(pk=vote.pk)
    assert counted.status == "counted" and counted.outcome["cast"] == 12
    assert sorted(e["name"] for e in counted.outcome["elected"]) == sorted([d[0].name, m[0].name, m[1].name])
    assert not BallotEntry.objects.filter(vote=vote).exists()
    staff.close()


def test_voter_card_reprinted_with_a_reason_old_card_revoked(phones: Any, celery_worker: Any, demo: Any) -> None:  # noqa: F811
    from elections.models import Event
    from polling import cards, scanning, services
    from polling.models import VoterCard
    from polling.tests.factory import polling_day

    demo.reset()
    day = polling_day(demo.community, voters=6)
    staff_user = demo.village_staff
    cards.ensure_cards(staff_user, day.election)
    voter = day.voters[3]
    old = VoterCard.objects.get(election=day.election, voter=voter)

    staff = phones(staff_user.username)
    staff.open(f"#/staff/polling/{day.election.pk}")
    staff.page.fill("#reprint input[name=card-q]", voter.name)
    staff.page.click("#find-card")
    staff.page.wait_for_selector(f"#card-results [data-card='{old.pk}'][data-status=active]")
    assert staff.page.locator("#card-results [data-card]").count() == 1

    # 1. No reason: refused with the server's words beside the card, nothing changed.
    staff.page.click(f"button[data-reprint='{old.pk}']")
    staff.page.wait_for_selector(f"[data-card='{old.pk}'] .error:has-text('请说明补发原因')")
    assert VoterCard.objects.get(pk=old.pk).status == "active"
    assert VoterCard.objects.filter(voter=voter).count() == 1

    # 2. With the reason: the old card revoked, the new one made and printed on its own.
    staff.page.fill(f"input[name=reason-{old.pk}]", "遗失")
    staff.page.click(f"button[data-reprint='{old.pk}']")
    staff.page.wait_for_selector("#reprint-result [data-new-card]")
    new = VoterCard.objects.get(voter=voter, status="active")
    assert new.pk != old.pk and new.number == f"{old.number}-补1"
    assert f"新证 No.{new.number}" in staff.page.inner_text("#reprint-result")
    staff.page.wait_for_selector(f"#card-results [data-card='{old.pk}'][data-status=revoked]")
    staff.page.wait_for_selector(f"#card-results [data-card='{new.pk}'][data-status=active]")
    staff.page.wait_for_selector("#reprint-job[data-status='done']", timeout=120_000)
    staff.page.wait_for_selector(f"#card-results [data-card='{new.pk}']:not(:has-text('待打印'))")
    staff.page.locator("#reprint").scroll_into_view_if_needed()
    staff.shot("polling-card-reprinted")
    revoked = VoterCard.objects.get(pk=old.pk)
    assert revoked.status == "revoked" and revoked.revoked_by == staff_user
    new.refresh_from_db()
    assert new.document is not None and new.token != old.token
    assert Event.objects.filter(election=day.election, kind="card_reprint", text__contains=new.number).exists()

    # 3. At the station the old card answers "revoked", the new one "valid".
    vote = services.open_vote(staff_user, day.election)
    assert scanning.check(staff_user, vote, day.centre, cards.payload(old.token))["status"] == "revoked"
    assert scanning.check(staff_user, vote, day.centre, cards.payload(new.token))["status"] == "valid"
    staff.close()
