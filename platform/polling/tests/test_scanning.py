"""Voter cards and the scan: what a scan says in every case, issuing with proxies, and the stage guard."""
from __future__ import annotations

from typing import Any

import pytest
from elections.codes import Stage, StopKind
from elections.models import Election
from elections.services import stop

from polling import cards, scanning, services
from polling.models import CardStatus, Issuance, VoterCard

from .factory import PollingDay, polling_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(demo: Any) -> PollingDay:
    return polling_day(demo.community)


def vote_and_cards(day: PollingDay, staff: Any) -> tuple[Any, dict[int, VoterCard]]:
    vote = services.open_vote(staff, day.election)
    assert cards.ensure_cards(staff, day.election) == len(day.voters)
    by_voter = {c.voter_id: c for c in VoterCard.objects.filter(election=day.election)}
    return vote, by_voter


def test_one_card_per_voter_with_a_signed_random_token(day: PollingDay, demo: Any) -> None:
    _, by_voter = vote_and_cards(day, demo.village_staff)
    assert len(by_voter) == len(day.voters)
    tokens = [c.token for c in by_voter.values()]
    assert len(set(tokens)) == len(tokens) and all(len(t) >= 22 for t in tokens)
    code = cards.payload(tokens[0])
    assert cards.token_of(code) == tokens[0]
    # a changed character of the token or the MAC, another prefix, garbage: not ours
    t = tokens[0]
    forged = f"XJ1.{t[:-1]}{'A' if t[-1] != 'A' else 'B'}.{code.rsplit('.', 1)[1]}"
    assert cards.token_of(forged) is None
    assert cards.token_of(code.replace("XJ1", "XJ2")) is None
    assert cards.token_of("12345") is None
    assert cards.ensure_cards(demo.village_staff, day.election) == 0  # idempotent


def test_scan_says_valid_then_used_with_when_where_and_clerk(day: PollingDay, demo: Any) -> None:
    vote, by_voter = vote_and_cards(day, demo.village_staff)
    card = by_voter[day.voters[5].pk]
    code = cards.payload(card.token)
    first = scanning.check(demo.village_staff, vote, day.centre, code)
    assert first["status"] == "valid" and first["voter"]["name"] == day.voters[5].name
    issued = scanning.issue(demo.village_staff, vote, day.centre, code)
    assert issued["ballots"] == 1
    again = scanning.check(demo.village_staff, vote, day.station, code)
    assert again["status"] == "used"
    assert again["used"]["station"] == "中心会场" and again["used"]["clerk"]
    assert "已使用" in again["message"]
    with pytest.raises(Exception) as e:
        scanning.issue(demo.village_staff, vote, day.station, code)
    assert getattr(e.value, "code", "") == "card_used" and e.value.status_code == 409  # type: ignore[attr-defined]
    assert Issuance.objects.filter(vote=vote).count() == 1


def test_revoked_wrong_station_not_on_roll_unknown(day: PollingDay, demo: Any, actors: Any) -> None:
    vote, by_voter = vote_and_cards(day, demo.village_staff)
    staff = demo.village_staff
    old = by_voter[day.voters[6].pk]
    new = cards.reprint(staff, old, reason="遗失")
    assert VoterCard.objects.get(pk=old.pk).status == CardStatus.REVOKED
    assert scanning.check(staff, vote, day.centre, cards.payload(old.token))["status"] == "revoked"
    assert scanning.check(staff, vote, day.centre, cards.payload(new.token))["status"] == "valid"
    # wrong station
    bound = by_voter[day.voters[7].pk]
    VoterCard.objects.filter(pk=bound.pk).update(station=day.station)
    answer = scanning.check(staff, vote, day.centre, cards.payload(bound.token))
    assert answer["status"] == "wrong_station" and "第一投票站" in answer["message"]
    # a card of another election of the same community is not on this roll
    other = polling_day(demo.community, round="2029T")
    services.open_vote(staff, other.election)
    cards.ensure_cards(staff, other.election)
    foreign = VoterCard.objects.filter(election=other.election).first()
    assert foreign is not None
    assert scanning.check(staff, vote, day.centre, cards.payload(foreign.token))["status"] == "not_on_roll"
    # a QR the platform never signed
    assert scanning.check(staff, vote, day.centre, "XJ1.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb")["status"] == "unknown"


def test_proxy_holder_receives_one_ballot_per_valid_principal(day: PollingDay, demo: Any) -> None:
    vote, by_voter = vote_and_cards(day, demo.village_staff)
    staff = demo.village_staff
    v = day.voters
    p1 = services.record_proxy(staff, day.election, principal=v[10].pk, holder=v[9].pk, relation="配偶")
    p2 = services.record_proxy(staff, day.election, principal=v[11].pk, holder=v[9].pk, relation="子女")
    with pytest.raises(Exception) as e:
        services.record_proxy(staff, day.election, principal=v[12].pk, holder=v[9].pk, relation="同事")
    assert getattr(e.value, "code", "") == "not_near_relative"
    services.record_proxy(staff, day.election, principal=v[12].pk, holder=v[9].pk, relation="父母")
    with pytest.raises(Exception) as e:  # the cap of three (Chongqing, unconfirmed)
        services.record_proxy(staff, day.election, principal=v[13].pk, holder=v[9].pk, relation="兄弟姐妹")
    assert getattr(e.value, "code", "") == "proxy_cap"
    # principal 11 comes in person first
    scanning.issue(staff, vote, day.centre, cards.payload(by_voter[v[11].pk].token))
    code = cards.payload(by_voter[v[9].pk].token)
    answer = scanning.check(staff, vote, day.centre, code)
    assert answer["status"] == "valid"
    assert {p["principal"]: p["voted"] for p in answer["proxies"]} == {v[10].name: False, v[11].name: True, v[12].name: False}
    with pytest.raises(Exception) as e:
        scanning.issue(staff, vote, day.centre, code, proxies=[p1.pk, p2.pk])
    assert getattr(e.value, "code", "") == "card_used"
    assert not Issuance.objects.filter(vote=vote, voter=v[9]).exists()  # nothing half-written
    done = scanning.issue(staff, vote, day.centre, code, proxies=[p1.pk])
    assert done["ballots"] == 2
    principal = scanning.check(staff, vote, day.centre, cards.payload(by_voter[v[10].pk].token))
    assert principal["status"] == "used" and principal["used"]["by_proxy"] is True


def test_scans_refused_when_stopped_or_outside_polling(day: PollingDay, demo: Any) -> None:
    vote, by_voter = vote_and_cards(day, demo.village_staff)
    code = cards.payload(by_voter[day.voters[3].pk].token)
    stop(day.election, kind=StopKind.OTHER, reason="投票站秩序混乱", user=demo.village_staff)
    with pytest.raises(Exception) as e:
        scanning.issue(demo.village_staff, vote, day.centre, code)
    assert getattr(e.value, "code", "") == "election_stopped"
    Election.objects.filter(pk=day.election.pk).update(stopped=False, stage=Stage.RESULTS)
    with pytest.raises(Exception) as e:
        scanning.issue(demo.village_staff, vote, day.centre, code)
    assert getattr(e.value, "code", "") == "stage_order"
    assert not Issuance.objects.exists()
