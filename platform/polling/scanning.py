"""Scanning a voter card at a polling station (民政易社区端) and issuing ballots.

``check`` answers at once what the clerk must know: valid / already used (when, where, which clerk)
/ revoked / not on this election's roll / wrong station / not a card of this platform. ``issue``
hands out the ballot(s) — the holder's own and one per recorded proxy they carry — in one
transaction: the card's row is locked (``SELECT … FOR UPDATE``), so a second clerk scanning the same
card waits and then finds it used; the unique ``Issuance (vote, voter)`` is the last word even if
two requests slipped past (the loser answers 409, nothing written). The election row is read with
``FOR SHARE``: scans at many stations run side by side, and a stop or the archive (which lock the
row for update) waits until the scans in flight are written.
"""
from __future__ import annotations

from typing import Any

from core import roles
from core.errors import DomainError
from core.scoping import in_scope
from django.db import IntegrityError, transaction
from django.utils import timezone
from elections import services as elections
from elections.codes import VoterStatus
from elections.models import Election

from . import cards, freshness
from .models import CardStatus, Issuance, Proxy, ProxyStatus, Station, Vote, VoterCard, VoteStatus

MESSAGES = {
    "valid": "有效：请发放选票",
    "used": "该选民证已使用",
    "revoked": "该选民证已作废（已补发新证）",
    "not_on_roll": "不在本次选举的选民名单上",
    "wrong_station": "不是本投票站的选民",
    "unknown": "不是本平台签发的选民证",
}


def step_of(vote: Vote) -> str:
    """The first vote is cast in the polling stage; a run-off (另行选举) on the same day, after the
    first count, in the counting stage."""
    return "polling" if vote.number == 1 else "counting"


def _share_lock(election: Election) -> Election:
    rows = list(Election.objects.raw("SELECT * FROM elections_election WHERE id = %s FOR SHARE", [election.pk]))
    return rows[0]


def _clerk_name(user: Any) -> str:
    return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else ""


def ensure_clerk(user: Any, vote: Vote, station: Station) -> None:
    if not roles.can_write(user):
        raise DomainError("read_only", "您的角色不能发放选票。", status_code=403)
    if station.election_id != vote.election_id:
        raise DomainError("station_not_found", "该投票站不属于本次选举。", status_code=404)
    if not in_scope(user, vote.election.unit):
        raise DomainError("out_of_scope", "该选举不在您的管辖范围内。", status_code=404)


def _used(issuance: Issuance) -> dict[str, Any]:
    return {"at": timezone.localtime(issuance.at).isoformat(), "station": issuance.station.name,
            "clerk": issuance.clerk_name, "by_proxy": issuance.proxy_id is not None}


def _card_answer(vote: Vote, station: Station, code: str, *, lock: bool) -> tuple[str, VoterCard | None, dict[str, Any]]:
    token = cards.token_of(code)
    if token is None:
        return "unknown", None, {}
    qs = VoterCard.objects.select_related("voter", "voter__group", "station")
    if lock:
        qs = qs.select_for_update(of=("self",))
    card = qs.filter(token=token).first()
    if card is None or card.election_id != vote.election_id:
        return "not_on_roll", card if card and card.election_id == vote.election_id else None, {}
    if card.status == CardStatus.REVOKED:
        return "revoked", card, {"revoked_at": timezone.localtime(card.revoked_at).isoformat() if card.revoked_at else None}
    if card.voter.status != VoterStatus.ON_ROLL:
        return "not_on_roll", card, {}
    done = Issuance.objects.select_related("station").filter(vote=vote, voter=card.voter).first()
    if done is not None:
        return "used", card, {"used": _used(done)}
    if card.station_id and card.station_id != station.pk:
        return "wrong_station", card, {"station": card.station.name if card.station else ""}
    return "valid", card, {}


def _voter(card: VoterCard | None) -> dict[str, Any] | None:
    if card is None:
        return None
    v = card.voter
    return {"name": v.name, "gender": v.get_gender_display(), "group": v.group.name if v.group_id and v.group else "",
            "number": card.number, "id_masked": v.id_masked}


def _proxies(vote: Vote, card: VoterCard) -> list[dict[str, Any]]:
    held = list(Proxy.objects.filter(holder=card.voter, status=ProxyStatus.RECORDED).select_related("principal"))
    voted = set(Issuance.objects.filter(vote=vote, voter__in=[p.principal for p in held]).values_list("voter_id", flat=True))
    return [{"id": p.pk, "principal": p.principal.name, "relation": p.relation, "document": p.document,
             "voted": p.principal_id in voted} for p in held]


def message(status: str, extra: dict[str, Any]) -> str:
    if status == "used":
        u = extra["used"]
        return f"该选民证已使用：{u['at'][11:19]} 在{u['station']}由{u['clerk'] or '—'}发票" + (
            "（委托投票）" if u["by_proxy"] else "")
    if status == "wrong_station":
        return f"不是本投票站的选民，请到{extra['station']}投票"
    return MESSAGES[status]


def check(user: Any, vote: Vote, station: Station, code: str) -> dict[str, Any]:
    """What a scan says (nothing written)."""
    ensure_clerk(user, vote, station)
    status, card, extra = _card_answer(vote, station, code, lock=False)
    answer: dict[str, Any] = {"status": status, "message": message(status, extra), "voter": _voter(card), **extra}
    if status == "valid" and card is not None:
        answer["proxies"] = _proxies(vote, card)
    return answer


@transaction.atomic
def issue(user: Any, vote: Vote, station: Station, code: str, *, proxies: list[int] | None = None) -> dict[str, Any]:
    """Issue the ballot(s) of a valid card: one for the holder, one per valid proxy they carry."""
    ensure_clerk(user, vote, station)
    e = _share_lock(vote.election)
    elections.ensure_writable(e, step_of(vote))
    if Vote.objects.filter(pk=vote.pk, status=VoteStatus.OPEN).count() == 0:
        raise DomainError("vote_closed", "本次投票已结束计票，不能再发放选票。", status_code=409)
    status, card, extra = _card_answer(vote, station, code, lock=True)
    if status != "valid" or card is None:
        raise DomainError(f"card_{status}", message(status, extra), status_code=409, extra={"status": status, **extra})
    name = _clerk_name(user)
    rows = [Issuance(vote=vote, voter=card.voter, card=card, station=station, clerk=user, clerk_name=name)]
    chosen = set(proxies or [])
    if chosen:
        held = {p.pk: p for p in Proxy.objects.select_related("principal").filter(
            pk__in=chosen, holder=card.voter, status=ProxyStatus.RECORDED)}
        if set(held) != chosen:
            raise DomainError("proxy_not_found", "所选委托不属于该选民或已撤销。", status_code=409)
        for p in held.values():
            if p.principal.status != VoterStatus.ON_ROLL:
                raise DomainError("proxy_principal_removed", f"委托人{p.principal.name}已不在选民名单上。", status_code=409)
            rows.append(Issuance(vote=vote, voter=p.principal, proxy=p, station=station, clerk=user, clerk_name=name))
    try:
        with transaction.atomic():
            Issuance.objects.bulk_create(rows)
    except IntegrityError:
        raise DomainError("card_used", "该选民（或其委托人）已领取选票。", status_code=409, extra={"status": "used"}) from None
    freshness.turnout_changed()
    return {"status": "issued", "ballots": len(rows), "voter": _voter(card),
            "message": f"已发放选票 {len(rows)} 张" + (f"（含委托投票 {len(rows) - 1} 张）" if len(rows) > 1 else "")}
