"""End-to-end: the town supervisor watches polling day on the map — the 投票进度 layer (declared by the
polling module through the tiles registry) toggled on, the community coloured by its turnout, its popup
giving ballots issued against the roll as the database holds them, the figures moving as more ballots
are issued (the layer refetches its tiles while on), and the counted outcome once the vote is counted;
a village clerk of another town gets no feature of this community."""
from __future__ import annotations

from typing import Any

import pytest
from accounts.models import LoginType, Role
from core.testing import token_client
from elections.codes import Stage
from elections.models import Election
from polling import cards, counting, freshness, scanning, services
from polling.models import Issuance, Vote, VoterCard
from polling.tests.factory import polling_day
from polling.tests.test_layer import features, tile_path

from boundaries import services as boundaries
from boundaries.demo.accounts import AccountSpec, create_accounts
from boundaries.levels import Level
from boundaries.models import AdminUnit

from .conftest import MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILL = "election-turnout-fill"


def _issue(staff: Any, vote: Vote, station: Any, tokens: list[str]) -> None:
    for t in tokens:
        scanning.issue(staff, vote, station, cards.payload(t))


def _rendered(mp: MapPage, unit_id: int) -> dict[str, Any]:
    return next((f["props"] for f in mp.query([FILL]) if f["id"] == unit_id), {})


def _wait_issued(mp: MapPage, unit_id: int, issued: int) -> None:
    """Until the periodic refresh has brought the new count onto the screen (no reload, no click)."""
    mp.page.wait_for_function(
        """([layer, id, n]) => window.__map.queryRenderedFeatures({layers: [layer]})
             .some(f => f.id === id && f.properties.issued === n)""",
        arg=[FILL, unit_id, issued], timeout=30_000, polling=500,
    )


def _popup(mp: MapPage, x: float, y: float) -> str:
    mp.page.evaluate("document.querySelectorAll('.maplibregl-popup').forEach(p => p.remove())")
    mp.page.mouse.click(x, y)
    return mp.page.wait_for_selector("#turnout-popup").inner_text()


def test_town_supervisor_watches_turnout_then_the_result(map_page: MapPage, browser: Any, live_server: Any,
                                                         demo: Any, monkeypatch: Any) -> None:
    demo.reset()
    # Every scan bumps the layer's version here (the server otherwise bumps at most every 15 s).
    monkeypatch.setattr(freshness, "TURNOUT_BUMP_SECONDS", 0.0)
    unit: AdminUnit = demo.community
    day = polling_day(unit, voters=20)
    staff = demo.village_staff
    vote = services.open_vote(staff, day.election)
    cards.ensure_cards(staff, day.election)
    tokens = list(VoterCard.objects.filter(election=day.election).order_by("id").values_list("token", flat=True))
    _issue(staff, vote, day.centre, tokens[:7])

    mp = map_page
    mp.page.add_init_script("window.__turnoutRefreshMs = 1500")
    mp.open_map(demo.town_supervisor.username)
    button = mp.page.wait_for_selector("#btn-election-turnout")
    assert button.inner_text() == "投票进度" and button.get_attribute("aria-pressed") == "false"
    mp.fly_to_unit(unit.pk, Level.COMMUNITY)
    assert not _rendered(mp, unit.pk)  # hidden until switched on
    button.click()
    legend = mp.page.wait_for_selector("#turnout-legend")
    assert "80–100%" in legend.inner_text() and "已计票：无效或需另行选举" in legend.inner_text()
    mp.wait_idle()

    issued, voters = Issuance.objects.filter(vote=vote).count(), Election.objects.get(pk=day.election.pk).voters_count
    assert (issued, voters) == (7, 20)
    seen = _rendered(mp, unit.pk)
    assert seen["issued"] == issued and seen["voters"] == voters and seen["counted"] is False
    x, y = mp.project(*boundaries.to_shapely(unit.geom).representative_point().coords[0])
    text = _popup(mp, x, y)
    assert unit.name in text and "第1次" in text
    assert f"已发选票/选民人数：{issued}/{voters}" in text
    assert f"投票率：{100 * issued / voters:g}%" in text and "尚未计票" in text

    # More voters come: the map follows by itself.
    _issue(staff, vote, day.centre, tokens[7:11])
    issued = Issuance.objects.filter(vote=vote).count()
    assert issued == 11
    _wait_issued(mp, unit.pk, issued)
    text = _popup(mp, x, y)
    assert f"已发选票/选民人数：{issued}/{voters}" in text and f"投票率：{100 * issued / voters:g}%" in text

    # Counted: the outcome joins the popup.
    Election.objects.filter(pk=day.election.pk).update(stage=Stage.COUNTING)
    for box, n in ((day.centre, 11), (day.station, 0), (day.mobile, 0)):
        counting.set_returned(staff, vote, box, n)
    counting.set_totals(staff, vote, {"director": {str(day.candidates["director"][0].pk): 11}})
    counting.conclude(staff, vote)
    vote.refresh_from_db()
    outcome = vote.outcome
    assert outcome is not None
    mp.page.wait_for_function(
        """([layer, id]) => window.__map.queryRenderedFeatures({layers: [layer]})
             .some(f => f.id === id && f.properties.counted === true)""",
        arg=[FILL, unit.pk], timeout=30_000, polling=500,
    )
    text = _popup(mp, x, y)
    assert ("选举有效" if outcome["valid"] else "选举无效") in text
    assert f"当选人数：{len(outcome['elected'])}" in text
    assert f"需另行选举：{'是' if outcome.get('runoff_required') else '否'}" in text
    mp.screenshot("map-turnout-layer")
    assert not [f for f in mp.failed if "/tiles/" in f], mp.failed
    assert not mp.console_errors, mp.console_errors

    button.click()  # off again: hidden, and no more refetching
    assert mp.page.evaluate(f"window.__map.getLayoutProperty('{FILL}', 'visibility')") == "none"
    assert mp.page.is_hidden("#turnout-legend")

    # A village clerk of another town: offered the layer (staff), but the tiles are cut to their own
    # community, so this one is not in them — neither on the map nor in the tile itself.
    other = AdminUnit.objects.filter(parent=demo.other_town, level=Level.COMMUNITY).order_by("code").first()
    assert other is not None
    (clerk,) = create_accounts([AccountSpec("huixing_village_staff", f"{other.name}工作人员", other.code, Role.STAFF,
                                            LoginType.COMMUNITY)])
    assert unit.code in features(token_client(demo.town_supervisor).get(tile_path(unit)))
    assert unit.code not in features(token_client(clerk).get(tile_path(unit)))
    context = browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        op = MapPage(context.new_page(), live_server.url)
        op.page.set_default_timeout(30_000)
        op.open_map(clerk.username)
        centre = boundaries.to_shapely(unit.geom).representative_point().coords[0]
        op.page.evaluate("(c) => window.__map.jumpTo({center: c, zoom: 14, pitch: 0})", list(centre))
        op.page.click("#btn-election-turnout")
        op.wait_idle()
        assert any("/tiles/election_polling/" in u for u in op.requests)
        assert op.page.evaluate(
            "(id) => window.__map.querySourceFeatures('election_polling', {sourceLayer: 'election_polling'})"
            ".filter(f => f.id === id).length", unit.pk) == 0
        assert not _rendered(op, unit.pk)
    finally:
        context.close()
