"""Voter cards (选民证): one per voter on the final roll, each with a QR code that is unique and
unguessable, printed in batches as a background job; a reprint revokes the old card.

The QR carries ``XJ1.<token>.<mac>``: ``token`` is 128 random bits (``secrets``), stored on the card;
``mac`` is a keyed HMAC-SHA256 of the token under the site's secret (Django's ``salted_hmac``),
truncated to 96 bits. A code that was not issued by this platform fails the MAC before any database
lookup; a copied card of another election is "not on this roll"; nothing about the voter or a
sequence number is in the code.
"""
from __future__ import annotations

import base64
import hmac
import secrets
from typing import Any

from core.errors import DomainError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from elections import services as elections
from elections.codes import VoterStatus
from elections.models import Election, Voter

from .models import CardStatus, Station, VoterCard

PREFIX = "XJ1"
SALT = "polling.voter_card"
CARDS_PER_SHEET = 8


def _mac(token: str) -> str:
    digest = salted_hmac(SALT, token, algorithm="sha256").digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def payload(token: str) -> str:
    """What the QR code says."""
    return f"{PREFIX}.{token}.{_mac(token)}"


def token_of(code: str) -> str | None:
    """The token of a scanned code, or None when the code is not one this platform signed."""
    parts = (code or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or len(parts[1]) > 40:
        return None
    return parts[1] if hmac.compare_digest(parts[2], _mac(parts[1])) else None


def new_token() -> str:
    return secrets.token_urlsafe(16)


def _stations_by_group(election: Election) -> dict[int, Station]:
    out: dict[int, Station] = {}
    for station in Station.objects.filter(election=election).prefetch_related("groups"):
        for g in station.groups.all():
            out.setdefault(g.pk, station)
    return out


def _next_number(election: Election) -> int:
    # Every card ever made counts (reprints too), so a new number never repeats an old one.
    return VoterCard.objects.filter(election=election).count() + 1


@transaction.atomic
def ensure_cards(user: Any, election: Election) -> int:
    """A card for every voter on the final roll who has none yet (idempotent). Returns how many
    were made. One INSERT from arrays: a village roll runs to thousands and a district's demo to a
    hundred thousand, where building a model instance per voter and per card cost seconds."""
    elections.ensure_may_write(user, election)
    e = elections.lock(election)
    elections.ensure_writable(e, "polling")
    voters = list(Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL)
                  .exclude(cards__status=CardStatus.ACTIVE).order_by("group_id", "id").values_list("id", "group_id"))
    if not voters:
        return 0
    by_group = {g: s.pk for g, s in _stations_by_group(e).items()}
    start = _next_number(e)
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {VoterCard._meta.db_table} (election_id, voter_id, token, number, station_id, status, created_at)
            SELECT %s, x.voter, x.token, x.number, x.station, %s, %s
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[]) AS x(voter, token, number, station)""",
                    [e.pk, CardStatus.ACTIVE, timezone.now(), [v for v, _ in voters], [new_token() for _ in voters],
                     [f"{e.pk:04d}-{start + i:05d}" for i in range(len(voters))],
                     [by_group.get(g) if g else None for _, g in voters]])
    elections.log(e, "cards", f"生成选民证 {len(voters)} 张", user=user)
    return len(voters)


@transaction.atomic
def reprint(user: Any, card: VoterCard, *, reason: str) -> VoterCard:
    """A lost or damaged card: the old one is revoked (its QR now answers "revoked") and a new card
    with a new token is made, to be printed."""
    elections.ensure_may_write(user, card.election)
    e = elections.lock(card.election)
    elections.ensure_writable(e, "polling")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请说明补发原因（如遗失、损毁）。")
    old = VoterCard.objects.select_for_update().get(pk=card.pk)
    if old.status != CardStatus.ACTIVE:
        raise DomainError("card_revoked", "该选民证已作废，请补发其当前有效的选民证。", status_code=409)
    if old.voter.status != VoterStatus.ON_ROLL:
        raise DomainError("not_on_roll", "该选民已不在选民名单上。", status_code=409)
    old.status = CardStatus.REVOKED
    old.revoked_at = timezone.now()
    old.revoked_by = user
    old.save(update_fields=["status", "revoked_at", "revoked_by"])
    reissues = VoterCard.objects.filter(voter=old.voter).count()
    new = VoterCard.objects.create(election=e, voter=old.voter, token=new_token(), station=old.station,
                                   number=f"{old.number.split('-补')[0]}-补{reissues}")
    elections.log(e, "card_reprint", f"补发选民证：{old.voter.name}（原证 {old.number} 作废，新证 {new.number}）：{reason}",
                  user=user)
    return new


class QrImage:
    """A card's QR code as a small PNG data: URI, made when the template prints it — so in whichever
    process lays that sheet out (the card job's renderers share the work), not all up front. One
    pixel per module, drawn with hard edges: the sheet stays light and prints sharp. A fixed mask
    skips segno's evaluation of all eight (three quarters of its time); the code stays valid."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        import segno

        return segno.make(self.text, error="m", mask=0, boost_error=False).png_data_uri(scale=1, border=1)


def sheets(cards: list[VoterCard]) -> list[dict[str, Any]]:
    """The cards as printable sheets of eight (``voter_cards.html``)."""
    out: list[dict[str, Any]] = []
    page: list[dict[str, Any]] = []
    for c in cards:
        page.append({"name": c.voter.name, "gender": c.voter.get_gender_display(),
                     "group": c.voter.group.name if c.voter.group_id and c.voter.group else "",
                     "station": c.station.name if c.station_id and c.station else "", "number": c.number,
                     "qr": QrImage(payload(c.token))})
        if len(page) == CARDS_PER_SHEET:
            out.append({"cards": page})
            page = []
    if page:
        out.append({"cards": page})
    return out
