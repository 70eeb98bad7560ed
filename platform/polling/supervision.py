"""Live polling supervision for the town and the district: turnout per community as ballots are
issued (one grouped count per table, not per election), results once counted, and the exceptions
(stops) as they are recorded."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from elections.codes import Stage, StopStatus, VoterStatus
from elections.models import Election, Stop, Voter

from .models import Issuance, Vote


def overview(user: Any, round: str | None = None) -> dict[str, Any]:
    elections = Election.objects.visible_to(user).select_related("unit").filter(
        stage__in=[Stage.POLLING, Stage.COUNTING, Stage.RESULTS, Stage.HANDOVER, Stage.ARCHIVED])
    if round:
        elections = elections.filter(round=round)
    rows = list(elections.order_by("unit__code")[:1000])
    ids = [e.pk for e in rows]
    registered = dict(Voter.objects.filter(election_id__in=ids, status=VoterStatus.ON_ROLL)
                      .values_list("election").annotate(n=Count("id")))
    votes: dict[int, Vote] = {}
    for v in Vote.objects.filter(election_id__in=ids).order_by("election_id", "number"):
        votes[v.election_id] = v  # the latest vote of each election
    issued = dict(Issuance.objects.filter(vote_id__in=[v.pk for v in votes.values()])
                  .values_list("vote__election").annotate(n=Count("id")))
    out = []
    for e in rows:
        latest = votes.get(e.pk)
        reg = registered.get(e.pk, 0)
        n = issued.get(e.pk, 0)
        result = latest.outcome if latest is not None and latest.outcome else None
        out.append({
            "election": e.pk, "unit": {"id": e.unit_id, "name": e.unit.name, "code": e.unit.code},
            "stage": e.stage, "stage_label": Stage(e.stage).label, "stopped": e.stopped,
            "registered": reg, "issued": n, "turnout": round_pct(n, reg),
            "vote": latest.number if latest else None, "runoff": bool(latest and latest.runoff),
            "result": None if result is None else {
                "valid": result["valid"], "elected": len(result.get("elected", [])),
                "runoff_required": bool(result.get("runoff_required"))},
        })
    stops = Stop.objects.filter(election_id__in=ids).select_related("election__unit").order_by("-created_at")[:50]
    return {"at": timezone.now().isoformat(), "elections": out,
            "exceptions": [{"election": s.election_id, "unit": s.election.unit.name, "kind": s.get_kind_display(),
                            "reason": s.reason, "rule": s.rule, "open": s.status == StopStatus.OPEN,
                            "at": timezone.localtime(s.created_at).isoformat()} for s in stops],
            "totals": {"registered": sum(registered.values()), "issued": sum(issued.values()),
                       "stopped": sum(1 for e in rows if e.stopped),
                       "open_exceptions": Stop.objects.filter(Q(election_id__in=ids) & Q(status=StopStatus.OPEN)).count()}}


def round_pct(n: int, d: int) -> float:
    return round(100 * n / d, 1) if d else 0.0
