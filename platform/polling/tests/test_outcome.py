"""The vote-outcome function on the cases the law decides at the edge: exactly half, exactly a third,
a box with one ballot too many, ties, the women member, overvoted posts. Pure function: no database."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from core.errors import DomainError

from polling import outcome

CQ = "500112"  # Yubei, Chongqing: the national thresholds plus Chongqing's parameters
DAY = dt.date(2026, 5, 10)


def vote(registered: int, totals: dict[str, dict[str, int]], returned: int, *, issued: int | None = None,
         posts: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "registered": registered,
        "boxes": [{"id": "main", "name": "中心会场", "issued": returned if issued is None else issued, "returned": returned}],
        "posts": posts or [{"id": "director", "kind": "主任", "seats": 1, "candidates": [
            {"id": "a", "name": "张三", "gender": "female"}, {"id": "b", "name": "李四", "gender": "male"}]}],
        "totals": totals, **extra,
    }


def run(data: dict[str, Any]) -> dict[str, Any]:
    return outcome.evaluate(data, province=CQ, on=DAY)


def codes(result: dict[str, Any]) -> list[str]:
    return [c["code"] for c in result["conclusions"]]


def conclusion(result: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in result["conclusions"] if c["code"] == code)


def test_turnout_exactly_half_is_invalid_with_the_rule_cited() -> None:
    r = run(vote(100, {"director": {"a": 50}}, 50))
    assert r["valid"] is False
    c = conclusion(r, "turnout_short")
    assert c["rule"]["key"] == "polling.turnout_share"
    assert c["rule"]["citation"] == "《中华人民共和国村民委员会组织法》（2018年修正）第十五条"
    assert "elected" not in r


def test_turnout_one_more_than_half_is_valid() -> None:
    r = run(vote(100, {"director": {"a": 51}}, 51))
    assert r["valid"] is True and "turnout_ok" in codes(r)
    assert [e["id"] for e in r["elected"]] == ["a"]


def test_odd_registered_half_rounds_nowhere() -> None:
    # 101 registered: 50 is not more than 50.5, 51 is
    assert run(vote(101, {"director": {"a": 50}}, 50))["valid"] is False
    assert run(vote(101, {"director": {"a": 51}}, 51))["valid"] is True


def test_candidate_with_exactly_half_of_votes_cast_is_not_elected() -> None:
    r = run(vote(100, {"director": {"a": 30, "b": 30}}, 60))
    assert r["valid"] is True
    assert r["elected"] == []
    below = [c for c in r["conclusions"] if c["code"] == "below_threshold"]
    assert {c["candidate"] for c in below} == {"a", "b"}
    assert below[0]["rule"]["key"] == "polling.elect_share"
    post = r["posts"][0]
    assert post["runoff_seats"] == 1 and [c["id"] for c in post["runoff_candidates"]] == ["a", "b"]
    assert conclusion(r, "runoff_needed")["rule"]["key"] == "polling.runoff"
    assert r["runoff_required"] is True


def test_half_plus_one_vote_is_elected_and_invalid_ballots_count_as_cast() -> None:
    # 60 ballots cast, 31 for a: elected even though only 40 ballots carry a mark for this post
    r = run(vote(100, {"director": {"a": 31, "b": 9}}, 60))
    assert [e["id"] for e in r["elected"]] == ["a"]
    assert conclusion(r, "elected")["rule"]["key"] == "polling.elect_share"


def test_a_box_with_more_ballots_than_issued_invalidates_the_vote() -> None:
    data = vote(100, {"director": {"a": 70}}, 80)
    data["boxes"] = [{"id": "main", "name": "中心会场", "issued": 60, "returned": 60},
                     {"id": "mobile", "name": "流动票箱", "issued": 20, "returned": 21}]
    r = run(data)
    assert r["valid"] is False
    c = conclusion(r, "box_overflow")
    assert c["box"] == "mobile" and c["rule"]["key"] == "polling.box_overflow"
    assert c["rule"]["confirmed"] is False  # a Chongqing parameter not read in its text
    assert "elected" not in r


def test_a_box_with_exactly_the_ballots_issued_is_fine() -> None:
    r = run(vote(100, {"director": {"a": 70}}, 80, issued=80))
    assert r["valid"] is True and "box_overflow" not in codes(r)


def test_runoff_elects_with_exactly_one_third_and_not_below() -> None:
    # 60 ballots cast in the run-off; one third = 20
    third = run(vote(100, {"director": {"a": 20, "b": 19}}, 60, runoff=True))
    assert [e["id"] for e in third["elected"]] == ["a"]
    assert conclusion(third, "elected")["rule"]["key"] == "polling.runoff_share"
    below = run(vote(100, {"director": {"a": 19, "b": 18}}, 60, runoff=True))
    assert below["elected"] == [] and "below_threshold" in codes(below)
    assert conclusion(below, "below_threshold")["rule"]["citation"].endswith("第十五条")


def test_runoff_still_needs_the_turnout() -> None:
    r = run(vote(100, {"director": {"a": 50}}, 50, runoff=True))
    assert r["valid"] is False and "turnout_short" in codes(r)


def test_tie_at_the_last_seat_goes_to_a_revote_among_the_tied() -> None:
    posts = [{"id": "members", "kind": "委员", "seats": 2, "candidates": [
        {"id": "a", "name": "甲", "gender": "female"}, {"id": "b", "name": "乙", "gender": "male"},
        {"id": "c", "name": "丙", "gender": "male"}, {"id": "d", "name": "丁", "gender": "male"}]}]
    r = run(vote(100, {"members": {"a": 70, "b": 55, "c": 55, "d": 10}}, 80, posts=posts))
    assert [e["id"] for e in r["elected"]] == ["a"]
    tie = conclusion(r, "tie")
    assert tie["candidates"] == ["b", "c"] and tie["rule"]["key"] == "polling.tie"
    post = r["posts"][0]
    assert post["runoff_seats"] == 1
    assert {c["id"] for c in post["runoff_candidates"]} == {"b", "c"}


def committee(tally_members: dict[str, int]) -> dict[str, Any]:
    posts = [
        {"id": "director", "kind": "主任", "seats": 1, "candidates": [{"id": "d1", "name": "王主任", "gender": "male"}]},
        {"id": "members", "kind": "委员", "seats": 2, "candidates": [
            {"id": "m1", "name": "赵一", "gender": "male"}, {"id": "m2", "name": "钱二", "gender": "male"},
            {"id": "w1", "name": "孙三", "gender": "female"}]},
    ]
    return vote(100, {"director": {"d1": 70}, "members": tally_members}, 80, posts=posts)


def test_no_woman_elected_the_top_woman_over_half_takes_the_last_member_seat() -> None:
    r = run(committee({"m1": 70, "m2": 60, "w1": 45}))
    assert sorted(e["id"] for e in r["elected"]) == ["d1", "m1", "w1"]
    c = conclusion(r, "women_seat_replaces")
    assert c["replaced"] == "m2" and c["rule"]["key"] == "polling.women_seat"


def test_no_woman_over_half_the_last_member_seat_goes_to_a_women_only_runoff() -> None:
    r = run(committee({"m1": 70, "m2": 60, "w1": 30}))
    assert sorted(e["id"] for e in r["elected"]) == ["d1", "m1"]
    members = r["posts"][1]
    assert members["runoff_seats"] == 1 and members["runoff_women_only"] is True
    assert [c["id"] for c in members["runoff_candidates"]] == ["w1"]


def ballots_vote(ballots: list[dict[str, Any]], returned: int | None = None) -> dict[str, Any]:
    posts = [{"id": "director", "kind": "主任", "seats": 1, "candidates": [
        {"id": "a", "name": "张三", "gender": "female"}, {"id": "b", "name": "李四", "gender": "male"}]},
        {"id": "members", "kind": "委员", "seats": 2, "candidates": [
            {"id": "c", "name": "王五", "gender": "female"}, {"id": "d", "name": "赵六", "gender": "male"},
            {"id": "e", "name": "钱七", "gender": "male"}]}]
    box: dict[str, Any] = {"id": "main", "name": "中心会场", "issued": len(ballots)}
    if returned is not None:
        box["returned"] = returned
    return {"registered": 10, "boxes": [box], "posts": posts, "ballots": ballots}


def test_overvoted_post_is_void_on_that_ballot_only() -> None:
    good = {"box": "main", "marks": {"director": ["a"], "members": ["c", "d"]}}
    over = {"box": "main", "marks": {"director": ["a"], "members": ["c", "d", "e"]}}
    r = run(ballots_vote([good] * 5 + [over] * 2))
    tally = {t["id"]: t["votes"] for t in r["posts"][1]["tally"]}
    assert tally == {"c": 5, "d": 5, "e": 0}
    assert {t["id"]: t["votes"] for t in r["posts"][0]["tally"]}["a"] == 7
    c = conclusion(r, "ballots_voided")
    assert c["voided"] == {"overvote:members": 2} and c["rule"]["key"] == "polling.overvote"
    assert "委员一栏多选（该职务作废） 2 张" in c["text"] and "overvote" not in c["text"]  # the clerk's words


def test_write_ins_are_counted_by_name_and_can_win() -> None:
    b = {"box": "main", "marks": {"director": [{"write_in": "周八", "gender": "male"}], "members": ["c"]}}
    r = run(ballots_vote([b] * 6 + [{"box": "main", "marks": {}}]))
    assert [e["name"] for e in r["elected"] if e["post"] == "director"] == ["周八"]
    assert conclusion(r, "ballots_voided")["voided"] == {"blank": 1}


def test_entered_ballots_must_match_the_box_count() -> None:
    b = {"box": "main", "marks": {"director": ["a"]}}
    with pytest.raises(DomainError) as e:
        run(ballots_vote([b] * 6, returned=7))
    assert e.value.code == "ballots_incomplete"


@pytest.mark.parametrize("bad", [
    None, [], {"registered": 0}, {"registered": "x"},
    {"registered": 10, "boxes": [], "posts": [], "totals": {}},
    {"registered": 10, "boxes": [{"id": "a", "issued": -1}], "posts": [{"id": "p", "seats": 1}], "totals": {}},
    {"registered": 10, "boxes": [{"id": "a", "issued": 3, "returned": 3}], "posts": [{"id": "p", "seats": 1}],
     "totals": {"p": {"nobody": 3}}},
    {"registered": 10, "boxes": [{"id": "a", "issued": 3}], "posts": [{"id": "p", "seats": 1, "candidates": [{"id": "x"}]}],
     "ballots": [{"box": "zz", "marks": {}}]},
    {"registered": 10, "boxes": [{"id": "a", "issued": 3}], "posts": [{"id": "p", "seats": 1}], "ballots": "no"},
    {"registered": 10, "province": "Chongqing", "boxes": [{"id": "a", "issued": 3}], "posts": [{"id": "p", "seats": 1}],
     "ballots": []},
])
def test_bad_input_is_refused_with_a_code(bad: Any) -> None:
    with pytest.raises(DomainError):
        run(bad)


def test_rules_used_are_listed_with_citations() -> None:
    r = run(vote(100, {"director": {"a": 51}}, 60))
    keys = {x["key"] for x in r["rules"]}
    assert {"polling.turnout_share", "polling.elect_share", "polling.box_overflow"} <= keys
