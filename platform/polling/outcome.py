"""THE vote-outcome function: registered voters, boxes, ballots or totals → valid / elected / run-off.

Everything that decides is a rule from ``polling/rules/`` (core.rules), and every conclusion names
the rule and its citation, so the counting screen, the results announcement and the evaluation
endpoint (``POST /api/polling/evaluate/outcome/``, writes nothing) say the same thing for the same
input. The input format, with examples, is in docs/polling.md.

Arithmetic is exact (fractions compared as integers): "过半数" is strictly more than the share,
"不得少于" at least the share, so the exact-half and exact-third cases fall on the side the law puts
them.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import groupby
from typing import Any

from core import rules
from core.errors import DomainError

FEMALE = {"female", "f", "女"}
MAX_BALLOTS = 200_000


def _bad(message: str) -> DomainError:
    return DomainError("invalid_outcome_input", message)


@dataclass
class Candidate:
    id: str
    name: str
    gender: str = ""
    person: str = ""  # the same person standing for two posts carries the same key
    write_in: bool = False

    @property
    def female(self) -> bool:
        return self.gender.lower() in FEMALE


@dataclass
class PostInput:
    id: str
    kind: str
    seats: int
    candidates: dict[str, Candidate]
    women_only: bool = False


@dataclass
class Conclusions:
    items: list[dict[str, Any]] = field(default_factory=list)
    rules_used: dict[str, rules.Rule] = field(default_factory=dict)

    def add(self, code: str, text: str, rule: rules.Rule | None, **extra: Any) -> None:
        entry: dict[str, Any] = {"code": code, "text": text}
        if rule is not None:
            self.rules_used[rule.key] = rule
            entry["rule"] = rule_ref(rule)
        entry.update(extra)
        self.items.append(entry)


def rule_ref(rule: rules.Rule) -> dict[str, Any]:
    return {"key": rule.key, "title": rule.title, "value": rule.value, "confirmed": rule.confirmed,
            "citation": str(rule.citation), "source": rule.source}


class Rulebook:
    """The rules of one vote (province, day), read once."""

    def __init__(self, province: str | None, on: dt.date | None) -> None:
        self.province, self.on = province, on

    def __call__(self, name: str) -> rules.Rule:
        try:
            return rules.get(f"polling.{name}", province=self.province, on=self.on)
        except rules.RuleNotFound:
            raise DomainError("rule_missing", f"本地区没有在该日期有效的投票计票规则（polling.{name}）。") from None

    def share(self, name: str) -> tuple[rules.Rule, Fraction]:
        r = self(name)
        return r, Fraction(str(r.value))


def _int(v: Any, what: str, minimum: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise _bad(f"{what} 应为不小于 {minimum} 的整数。")
    return v


def _posts(data: Any, runoff: bool) -> list[PostInput]:
    if not isinstance(data, list) or not data:
        raise _bad("posts 应为非空列表（每个职务：id、kind、seats、candidates）。")
    out: list[PostInput] = []
    for i, p in enumerate(data):
        if not isinstance(p, dict):
            raise _bad(f"posts[{i}] 应为对象。")
        pid = str(p.get("id") or p.get("kind") or "")
        if not pid or any(q.id == pid for q in out):
            raise _bad(f"posts[{i}] 缺少 id 或 id 重复。")
        cands: dict[str, Candidate] = {}
        raw = p.get("candidates", [])
        if not isinstance(raw, list):
            raise _bad(f"posts[{i}].candidates 应为列表。")
        for j, c in enumerate(raw):
            if not isinstance(c, dict) or not c.get("id") or not isinstance(c.get("name", ""), str):
                raise _bad(f"posts[{i}].candidates[{j}] 需要 id 和 name。")
            cid = str(c["id"])
            if cid in cands:
                raise _bad(f"posts[{i}] 的候选人 id {cid} 重复。")
            name = str(c.get("name") or cid)
            cands[cid] = Candidate(cid, name, str(c.get("gender") or ""), str(c.get("person") or name))
        women_only = bool(p.get("women_only", False))
        if women_only and not runoff:
            raise _bad("women_only 只用于另行选举。")
        out.append(PostInput(pid, str(p.get("kind") or pid), _int(p.get("seats"), f"posts[{i}].seats", 1), cands,
                             women_only))
    return out


def _write_in(post: PostInput, mark: dict[str, Any]) -> str:
    name = str(mark.get("write_in") or "").strip()
    if not name or len(name) > 40:
        raise _bad("另选他人须写明姓名（不超过40字）。")
    key = f"write_in:{name}"
    if key not in post.candidates:
        gender = str(mark.get("gender") or "")
        post.candidates[key] = Candidate(key, name, gender, name, write_in=True)
    return key


def _void_label(key: str, kinds: dict[str, str]) -> str:
    """The clerk's words for a key of ``voided`` (the keys stay in the answer for machines)."""
    if key.startswith("overvote:"):
        return f"{kinds.get(key.split(':', 1)[1], '')}一栏多选（该职务作废）"
    return {"ballot_void": "整张作废", "blank": "空白票"}.get(key, key)


def _count_ballots(ballots: Any, posts: list[PostInput], boxes: dict[str, dict[str, Any]],
                   overvote: str) -> tuple[dict[str, Counter[str]], dict[str, int], dict[str, int]]:
    """Tally entered ballots: per post the votes per candidate, per box the ballots entered, and the
    number of ballots (or post marks) voided and why."""
    if not isinstance(ballots, list) or len(ballots) > MAX_BALLOTS:
        raise _bad(f"ballots 应为列表（不超过 {MAX_BALLOTS} 张）。")
    by_id = {p.id: p for p in posts}
    tallies: dict[str, Counter[str]] = {p.id: Counter() for p in posts}
    per_box: Counter[str] = Counter()
    voided: Counter[str] = Counter()
    for i, b in enumerate(ballots):
        if not isinstance(b, dict):
            raise _bad(f"ballots[{i}] 应为对象。")
        box = str(b.get("box") or "")
        if boxes and box not in boxes:
            raise _bad(f"ballots[{i}] 的票箱 {box!r} 不在 boxes 中。")
        per_box[box] += 1
        if b.get("void"):  # 无法辨认、未按规定填写…: judged by the counting clerks, kept as cast
            voided["ballot_void"] += 1
            continue
        marks = b.get("marks") or {}
        if not isinstance(marks, dict):
            raise _bad(f"ballots[{i}].marks 应为对象（职务 id → 所选候选人）。")
        chosen: dict[str, list[str]] = {}
        over = False
        for pid, sel in marks.items():
            post = by_id.get(str(pid))
            if post is None or not isinstance(sel, list):
                raise _bad(f"ballots[{i}] 的职务 {pid!r} 不存在或所选不是列表。")
            keys: list[str] = []
            for m in sel:
                if isinstance(m, dict):
                    k = _write_in(post, m)
                elif str(m) in post.candidates:
                    k = str(m)
                else:
                    raise _bad(f"ballots[{i}] 选了职务 {post.id} 之外的候选人 {m!r}。")
                if k not in keys:  # the same name marked twice counts once
                    keys.append(k)
            if len(keys) > post.seats:
                over = True
                voided[f"overvote:{post.id}"] += 1
                continue
            chosen[post.id] = keys
        if over and overvote == "ballot_void":
            voided["ballot_void"] += 1
            continue
        if not any(chosen.values()):
            voided["blank"] += 1
        for pid, keys in chosen.items():
            tallies[pid].update(keys)
    return tallies, dict(per_box), dict(voided)


def _totals(data: Any, posts: list[PostInput]) -> dict[str, Counter[str]]:
    if not isinstance(data, dict):
        raise _bad("totals 应为对象：职务 id → {候选人 id: 票数}。")
    by_id = {p.id: p for p in posts}
    out: dict[str, Counter[str]] = {p.id: Counter() for p in posts}
    for pid, votes in data.items():
        post = by_id.get(str(pid))
        if post is None or not isinstance(votes, dict):
            raise _bad(f"totals 的职务 {pid!r} 不存在或不是对象。")
        for cid, n in votes.items():
            key = str(cid)
            if key.startswith("write_in:"):
                _write_in(post, {"write_in": key.removeprefix("write_in:")})
            elif key not in post.candidates:
                raise _bad(f"totals 的候选人 {cid!r} 不在职务 {pid} 中。")
            out[post.id][key] += _int(n, f"totals[{pid}][{cid}]")
    return out


def evaluate(data: Any, *, province: str | None = None, on: dt.date | None = None) -> dict[str, Any]:
    """The outcome of one vote (docs/polling.md: input and output). Raises DomainError on bad input."""
    if not isinstance(data, dict):
        raise _bad("请求体应为对象。")
    prov = data.get("province") or province or None
    if prov is not None and (not isinstance(prov, str) or not (prov == rules.NATIONAL or (prov.isdigit() and len(prov) >= 2))):
        raise _bad("province 应为行政区划代码（如 500000）或 national。")
    book = Rulebook(prov, _day(data.get("on")) or on)
    runoff = bool(data.get("runoff", False))
    registered = _int(data.get("registered"), "registered", 1)
    posts = _posts(data.get("posts"), runoff)
    c = Conclusions()

    raw_boxes = data.get("boxes", [])
    if not isinstance(raw_boxes, list) or not raw_boxes:
        raise _bad("boxes 应为非空列表（每个票箱：id、name、issued，可带 returned）。")
    boxes: dict[str, dict[str, Any]] = {}
    for i, b in enumerate(raw_boxes):
        if not isinstance(b, dict) or not str(b.get("id") or "") or str(b["id"]) in boxes:
            raise _bad(f"boxes[{i}] 缺少 id 或 id 重复。")
        boxes[str(b["id"])] = {"id": str(b["id"]), "name": str(b.get("name") or b["id"]),
                               "issued": _int(b.get("issued"), f"boxes[{i}].issued"),
                               "returned": None if b.get("returned") is None else _int(b.get("returned"), f"boxes[{i}].returned")}

    overvote_rule = book("overvote")
    voided: dict[str, int] = {}
    if "ballots" in data:
        tallies, per_box, voided = _count_ballots(data["ballots"], posts, boxes, str(overvote_rule.value))
        for bid, box in boxes.items():
            entered = per_box.get(bid, 0)
            if box["returned"] is not None and box["returned"] != entered:
                raise DomainError("ballots_incomplete", f"票箱「{box['name']}」收回 {box['returned']} 张，已录入 "
                                  f"{entered} 张：请录完全部选票再计算。", extra={"box": bid})
            box["returned"] = entered
        if voided:
            kinds = {p.id: p.kind for p in posts}
            c.add("ballots_voided", "按规则作废的选票或职务：" + "，".join(
                f"{_void_label(k, kinds)} {n} 张" for k, n in sorted(voided.items())), overvote_rule, voided=voided)
    elif "totals" in data:
        tallies = _totals(data["totals"], posts)
        for box in boxes.values():
            if box["returned"] is None:
                raise _bad(f"按候选人汇总录入时，票箱「{box['name']}」须给出 returned（收回数）。")
    else:
        raise _bad("请给出 ballots（逐张录入）或 totals（按候选人汇总）。")

    issued = sum(b["issued"] for b in boxes.values())
    cast = sum(int(b["returned"]) for b in boxes.values())
    result: dict[str, Any] = {
        "runoff": runoff, "registered": registered, "issued": issued, "cast": cast, "boxes": list(boxes.values()),
        "valid": True, "posts": [], "conclusions": c.items}

    # 1. every box: no more ballots returned than issued
    overflow_rule = book("box_overflow")
    for box in boxes.values():
        if int(box["returned"]) > box["issued"]:
            c.add("box_overflow", f"票箱「{box['name']}」收回 {box['returned']} 张，多于发出的 {box['issued']} 张：本次投票无效。",
                  overflow_rule, box=box["id"])
            result["valid"] = False
    if result["valid"]:
        c.add("boxes_reconciled", f"{len(boxes)} 个票箱共发出 {issued} 张、收回 {cast} 张，没有票箱收回多于发出。",
              overflow_rule)
    if cast > registered:
        c.add("cast_exceeds_registered", f"收回选票 {cast} 张，多于登记选民 {registered} 人：本次投票无效。", overflow_rule)
        result["valid"] = False

    # 2. turnout: strictly more than the share of registered voters
    turnout_rule, share = book.share("turnout_share")
    result["turnout"] = {"cast": cast, "registered": registered, "percent": round(100 * cast / registered, 2)}
    if cast * share.denominator > registered * share.numerator:
        c.add("turnout_ok", f"登记选民 {registered} 人，参加投票 {cast} 人，超过{_share_text(share)}：选举有效。", turnout_rule)
    else:
        c.add("turnout_short", f"登记选民 {registered} 人，参加投票 {cast} 人，未超过{_share_text(share)}：选举无效。",
              turnout_rule)
        result["valid"] = False

    if not result["valid"]:
        for post in posts:
            result["posts"].append(_post_summary(post, tallies[post.id], [], [], []))
        result["rules"] = [rule_ref(r) for r in c.rules_used.values()]
        return result

    # 3. each post in order (主任 → 副主任 → 委员): who passes the threshold, ties at the last seat
    if runoff:
        threshold_rule, tshare = book.share("runoff_share")
        passes = lambda v: v * tshare.denominator >= cast * tshare.numerator  # noqa: E731 - 不得少于
    else:
        threshold_rule, tshare = book.share("elect_share")
        passes = lambda v: v * tshare.denominator > cast * tshare.numerator  # noqa: E731 - 过半数
    elected_people: set[str] = set()
    decided: list[tuple[PostInput, list[Candidate], list[Candidate], list[Candidate]]] = []
    for post in posts:
        tally = tallies[post.id]
        ranked = sorted((cand for cand in post.candidates.values() if cand.person not in elected_people),
                        key=lambda cand: (-tally[cand.id], cand.id))
        eligible = [cand for cand in ranked if passes(tally[cand.id]) and (cand.female or not post.women_only)]
        elected: list[Candidate] = []
        tied: list[Candidate] = []
        for _, group in groupby(eligible, key=lambda cand: tally[cand.id]):
            same = list(group)
            if len(elected) >= post.seats:
                break
            if len(elected) + len(same) > post.seats:
                tied = same  # the remaining seats cannot be given among equal votes
                break
            elected.extend(same)
        for cand in elected:
            elected_people.add(cand.person)
            c.add("elected", f"{post.kind}：{cand.name} 得 {tally[cand.id]} 票，"
                  f"{'不少于' if runoff else '超过'}参加投票 {cast} 人的{_share_text(tshare)}，当选。", threshold_rule,
                  post=post.id, candidate=cand.id)
        for cand in ranked:
            if cand not in elected and cand not in tied and tally[cand.id] and not passes(tally[cand.id]):
                c.add("below_threshold", f"{post.kind}：{cand.name} 得 {tally[cand.id]} 票，"
                      f"{'少于' if runoff else '未超过'}{_share_text(tshare)}，不能当选。", threshold_rule,
                      post=post.id, candidate=cand.id)
        if tied:
            c.add("tie", f"{post.kind}：{'、'.join(t.name for t in tied)} 得票相等（{tally[tied[0].id]} 票），"
                  "不能确定当选人，就票数相等的候选人另行投票。", book("tie"), post=post.id,
                  candidates=[t.id for t in tied])
        decided.append((post, elected, tied, ranked))

    # 4. the women member: none elected → the reserved committee seat
    women_posts: set[str] = set()
    if not runoff:
        women_posts = _women_seat(book, c, decided, tallies, passes, elected_people)

    # 5. seats left → run-off (另行选举) among the best of those not elected
    extra = int(book("runoff_extra_candidates").value)
    runoff_rule = book("runoff")
    for post, elected, tied, ranked in decided:
        tally = tallies[post.id]
        left = post.seats - len(elected)
        runoff_cands: list[Candidate] = []
        women_only = post.id in women_posts
        if left > 0:
            pool = [cand for cand in ranked if cand not in elected and cand.person not in elected_people
                    and (cand.female or not women_only)]
            want = left + extra
            for cand in pool:
                if len(runoff_cands) >= want and tally[cand.id] < tally[runoff_cands[-1].id]:
                    break
                runoff_cands.append(cand)
            c.add("runoff_needed", f"{post.kind}应选 {post.seats} 名，当选 {len(elected)} 名，不足的 {left} 名另行选举"
                  + (f"（{'、'.join(x.name for x in runoff_cands)} 为候选人）" if runoff_cands else "")
                  + ("，该名额须选出妇女成员" if women_only else "") + "。", runoff_rule if not runoff else book("runoff_share"),
                  post=post.id, seats=left, candidates=[x.id for x in runoff_cands], women_only=women_only)
        result["posts"].append(_post_summary(post, tally, elected, tied, runoff_cands, left, women_only))
    result["elected"] = [{"post": p["id"], **e} for p in result["posts"] for e in p["elected"]]
    result["runoff_required"] = any(p["runoff_seats"] for p in result["posts"])
    result["rules"] = [rule_ref(r) for r in c.rules_used.values()]
    return result


def _women_seat(book: Rulebook, c: Conclusions, decided: list[Any], tallies: dict[str, Counter[str]],
                passes: Any, elected_people: set[str]) -> set[str]:
    """The posts whose run-off must elect a woman (empty when a woman was elected or takes a seat)."""
    required = book("women_member")
    if not required.value or any(cand.female for _, elected, _, _ in decided for cand in elected):
        return set()
    seat_rule = book("women_seat")
    members = [d for d in decided if d[0].kind == "委员"]
    if not members:
        c.add("women_missing", "当选人中没有妇女，且本次投票没有委员职务可保留妇女名额。", required)
        return set()
    post, elected, tied, ranked = members[-1]
    tally = tallies[post.id]
    women = [cand for cand in ranked if cand.female and cand.person not in elected_people and passes(tally[cand.id])]
    if women:
        woman = women[0]
        if len(elected) >= post.seats:
            man = elected.pop()
            elected_people.discard(man.person)
            c.add("women_seat_replaces", f"委员：当选人中没有妇女，{woman.name}（得 {tally[woman.id]} 票，过半数）当选最后一个"
                  f"委员名额，{man.name} 不再当选。", seat_rule, post=post.id, candidate=woman.id, replaced=man.id)
        else:
            c.add("women_seat", f"委员：当选人中没有妇女，{woman.name}（得 {tally[woman.id]} 票，过半数）当选。", seat_rule,
                  post=post.id, candidate=woman.id)
        elected.append(woman)
        elected_people.add(woman.person)
        tied.clear()
        return set()
    if len(elected) >= post.seats:
        man = elected.pop()
        elected_people.discard(man.person)
        c.add("women_seat_reserved", f"委员：当选人中没有妇女，也没有得票过半的妇女候选人；最后一个委员名额（{man.name}）"
              "保留，另行选举妇女成员。", seat_rule, post=post.id, replaced=man.id)
    else:
        c.add("women_seat_reserved", "委员：当选人中没有妇女，空缺名额中的一名另行选举妇女成员。", seat_rule, post=post.id)
    return {post.id}


def _post_summary(post: PostInput, tally: Counter[str], elected: list[Candidate], tied: list[Candidate],
                  runoff_cands: list[Candidate], left: int = 0, women_only: bool = False) -> dict[str, Any]:
    order = sorted(post.candidates.values(), key=lambda cand: (-tally[cand.id], cand.id))
    return {
        "id": post.id, "kind": post.kind, "seats": post.seats,
        "tally": [{"id": cand.id, "name": cand.name, "gender": cand.gender, "votes": tally[cand.id],
                   "write_in": cand.write_in} for cand in order],
        "elected": [{"id": cand.id, "name": cand.name, "votes": tally[cand.id]} for cand in elected],
        "tied": [cand.id for cand in tied], "runoff_seats": left,
        "runoff_candidates": [{"id": cand.id, "name": cand.name, "votes": tally[cand.id]} for cand in runoff_cands],
        "runoff_women_only": women_only,
    }


def _share_text(share: Fraction) -> str:
    return {Fraction(1, 2): "半数", Fraction(1, 3): "三分之一"}.get(share, f"{share.numerator}/{share.denominator}")


def _day(v: Any) -> dt.date | None:
    if v in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise _bad("on 应为日期（YYYY-MM-DD）。") from None
