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
from core.scoping import in_scope, scope_path
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from elections import services as elections
from elections.codes import VoterStatus
from elections.models import SEX_CHOICES, Election, Voter

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


#: Everything a scan's answer needs, in one statement: the vote inside the user's jurisdiction
#: (``core.scoping.scope_path``), the station of that vote's election, the card by its token with
#: its voter, group and station, the issuance of this vote to that voter, and whether the voter
#: carries proxies. A scan is the one request a polling station repeats all day; as ORM queries it
#: was six statements and most of its time was spent building them.
ANSWER_SQL = """
SELECT c.id AS card_id, s.id AS station_id, c.election_id = v.election_id AS same_election,
       c.status AS card_status, c.revoked_at, c.number, c.station_id AS card_station_id, cs.name AS card_station,
       p.id AS voter_id, p.name, p.gender, p.status AS voter_status, p.id_masked, g.name AS group_name,
       i.at AS used_at, us.name AS used_station, i.clerk_name, i.proxy_id IS NOT NULL AS by_proxy,
       EXISTS (SELECT 1 FROM {proxy} x WHERE x.holder_id = p.id AND x.status = %(recorded)s) AS holds_proxies
FROM {vote} v
JOIN {election} e ON e.id = v.election_id
JOIN {unit} u ON u.id = e.unit_id
LEFT JOIN {station} s ON s.id = %(station)s AND s.election_id = v.election_id
LEFT JOIN {card} c ON c.token = %(token)s
LEFT JOIN {voter} p ON p.id = c.voter_id
LEFT JOIN {unit} g ON g.id = p.group_id
LEFT JOIN {station} cs ON cs.id = c.station_id
LEFT JOIN {issuance} i ON i.vote_id = v.id AND i.voter_id = p.id
LEFT JOIN {station} us ON us.id = i.station_id
WHERE v.id = %(vote)s AND starts_with(u.path, %(scope)s)
""".format(proxy=Proxy._meta.db_table, vote=Vote._meta.db_table, election=Election._meta.db_table,
           unit=Election._meta.get_field("unit").related_model._meta.db_table, station=Station._meta.db_table,
           card=VoterCard._meta.db_table, voter=Voter._meta.db_table, issuance=Issuance._meta.db_table)

GENDERS = dict(SEX_CHOICES)


def _row(user: Any, vote_id: int, station_id: int, token: str | None) -> dict[str, Any]:
    scope = scope_path(user)
    if scope is None:
        raise DomainError("vote_not_found", "投票不存在或不在您的管辖范围内。", status_code=404)
    with connection.cursor() as cur:
        cur.execute(ANSWER_SQL, {"vote": vote_id, "station": station_id, "token": token, "scope": scope,
                                 "recorded": ProxyStatus.RECORDED})
        found = cur.fetchone()
        names = [col.name for col in cur.description or ()]
    if found is None:
        raise DomainError("vote_not_found", "投票不存在或不在您的管辖范围内。", status_code=404)
    row = dict(zip(names, found, strict=True))
    if row["station_id"] is None:
        raise DomainError("station_not_found", "该投票站不属于本次选举。", status_code=404)
    return row


def _answer(row: dict[str, Any], station_id: int) -> tuple[str, dict[str, Any]]:
    """The status of a scanned card and what goes with it, from its row."""
    if row["card_id"] is None or not row["same_election"]:
        return "not_on_roll", {}
    if row["card_status"] == CardStatus.REVOKED:
        return "revoked", {"revoked_at": timezone.localtime(row["revoked_at"]).isoformat() if row["revoked_at"] else None}
    if row["voter_status"] != VoterStatus.ON_ROLL:
        return "not_on_roll", {}
    if row["used_at"] is not None:
        return "used", {"used": {"at": timezone.localtime(row["used_at"]).isoformat(), "station": row["used_station"],
                                 "clerk": row["clerk_name"], "by_proxy": row["by_proxy"]}}
    if row["card_station_id"] and row["card_station_id"] != station_id:
        return "wrong_station", {"station": row["card_station"] or ""}
    return "valid", {}


def _voter(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["card_id"] is None or not row["same_election"]:
        return None
    return {"name": row["name"], "gender": GENDERS.get(row["gender"], row["gender"]), "group": row["group_name"] or "",
            "number": row["number"], "id_masked": row["id_masked"]}


def _proxies(vote_id: int, voter_id: int) -> list[dict[str, Any]]:
    held = list(Proxy.objects.filter(holder_id=voter_id, status=ProxyStatus.RECORDED).select_related("principal"))
    voted = set(Issuance.objects.filter(vote_id=vote_id, voter__in=[p.principal for p in held])
                .values_list("voter_id", flat=True))
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


def check(user: Any, vote: Vote | int, station: Station | int, code: str) -> dict[str, Any]:
    """What a scan says (nothing written). Takes the vote and station or their ids: the scan page
    calls it with the ids from the URL and body, and a 404 comes from the same statement."""
    if not roles.can_write(user):
        raise DomainError("read_only", "您的角色不能发放选票。", status_code=403)
    vote_id = vote.pk if isinstance(vote, Vote) else vote
    station_id = station.pk if isinstance(station, Station) else station
    token = cards.token_of(code)
    row = _row(user, vote_id, station_id, token)
    if token is None:
        return {"status": "unknown", "message": MESSAGES["unknown"], "voter": None}
    status, extra = _answer(row, station_id)
    answer: dict[str, Any] = {"status": status, "message": message(status, extra), "voter": _voter(row), **extra}
    if status == "valid":
        answer["proxies"] = _proxies(vote_id, row["voter_id"]) if row["holds_proxies"] else []
    return answer


@transaction.atomic
def issue(user: Any, vote: Vote, station: Station, code: str, *, proxies: list[int] | None = None) -> dict[str, Any]:
    """Issue the ballot(s) of a valid card: one for the holder, one per valid proxy they carry."""
    ensure_clerk(user, vote, station)
    e = _share_lock(vote.election)
    elections.ensure_writable(e, step_of(vote))
    if Vote.objects.filter(pk=vote.pk, status=VoteStatus.OPEN).count() == 0:
        raise DomainError("vote_closed", "本次投票已结束计票，不能再发放选票。", status_code=409)
    token = cards.token_of(code)
    # The card's row is locked first, then read with everything else: a second clerk scanning the
    # same card waits here and then reads it as used.
    # (No ordering: the model's default order joins the election, which FOR UPDATE would lock too.)
    locked = (VoterCard.objects.select_for_update(of=("self",)).filter(token=token).order_by()
              .values_list("pk", flat=True).first()) if token else None
    row = _row(user, vote.pk, station.pk, token)
    status, extra = _answer(row, station.pk) if token else ("unknown", {})
    if status != "valid" or locked is None:
        raise DomainError(f"card_{status}", message(status, extra), status_code=409, extra={"status": status, **extra})
    name = _clerk_name(user)
    rows = [Issuance(vote=vote, voter_id=row["voter_id"], card_id=locked, station=station, clerk=user, clerk_name=name)]
    chosen = set(proxies or [])
    if chosen:
        held = {p.pk: p for p in Proxy.objects.select_related("principal").filter(
            pk__in=chosen, holder_id=row["voter_id"], status=ProxyStatus.RECORDED)}
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
    return {"status": "issued", "ballots": len(rows), "voter": _voter(row),
            "message": f"已发放选票 {len(rows)} 张" + (f"（含委托投票 {len(rows) - 1} 张）" if len(rows) > 1 else "")}
