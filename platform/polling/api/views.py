"""Polling API: thin views over the polling services and the vote-outcome function. Every object is
looked up through ``visible_to`` (outside the jurisdiction: 404); every write is a service call."""
from __future__ import annotations

from typing import Any

from core.errors import DomainError
from core.jobs import start_job
from core.permissions import IsSignedIn, ReadStaffWriteWriter
from core.types import request_user
from django.db.models import Count, Q
from django.http import FileResponse
from django.utils import timezone
from elections.codes import Stage, VoterStatus
from elections.models import Election, Voter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.levels import Level
from boundaries.models import AdminUnit

from .. import announcements, archive, cards, counting, outcome, scanning, services, supervision
from ..models import Announcement, Archive, CardStatus, Proxy, ProxyStatus, Station, Vote, VoterCard


class EvaluateOutcomeView(APIView):
    """``POST /api/polling/evaluate/outcome/``: the outcome of a vote from JSON (docs/polling.md),
    each conclusion with its rule and citation. Writes nothing; any signed-in account may ask (the
    same function the counting uses, so a clerk can check a paper tally against the law)."""

    permission_classes = [IsSignedIn]

    def post(self, request: Request) -> Response:
        user = request_user(request)
        unit = getattr(user, "unit", None)
        return Response(outcome.evaluate(request.data, province=getattr(unit, "code", None)))


def _id(value: Any, name: str) -> int:
    try:
        n = int(str(value))
    except (TypeError, ValueError):
        raise DomainError("invalid_parameter", f"{name} 应为整数。") from None
    if not 0 < n < 2**63:
        raise DomainError("invalid_parameter", f"{name} 应为正整数。")
    return n


def _election(request: Request, pk: int) -> Election:
    e = Election.objects.visible_to(request_user(request)).select_related("unit").filter(pk=pk).first()
    if e is None:
        raise DomainError("election_not_found", "选举不存在或不在您的管辖范围内。", status_code=404)
    return e


def _vote(request: Request, pk: int) -> Vote:
    v = Vote.objects.visible_to(request_user(request)).select_related("election", "election__unit").filter(pk=pk).first()
    if v is None:
        raise DomainError("vote_not_found", "投票不存在或不在您的管辖范围内。", status_code=404)
    return v


def _station(vote: Vote, value: Any) -> Station:
    s = Station.objects.filter(election=vote.election, pk=_id(value, "station")).first()
    if s is None:
        raise DomainError("station_not_found", "该投票站不属于本次选举。", status_code=404)
    return s


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise DomainError("invalid_body", "请求体应为对象。")
    return dict(request.data)


def vote_json(v: Vote) -> dict[str, Any]:
    return {"id": v.pk, "number": v.number, "runoff": v.runoff, "status": v.status, "posts": v.posts,
            "outcome": v.outcome, "totals": v.totals, "ballot_document": v.ballot_document_id,
            "ballot_url": f"/api/documents/{v.ballot_document_id}/file/" if v.ballot_document_id else None}


# Stations as a clerk lists them: the centre, the stations, the mobile boxes.
KIND_ORDER = {"centre": 0, "station": 1, "mobile": 2}


def election_json(e: Election) -> dict[str, Any]:
    stations = [{"id": s.pk, "kind": s.kind, "kind_label": s.get_kind_display(), "name": s.name,
                 "groups": [{"id": g.pk, "name": g.name} for g in sorted(s.groups.all(), key=lambda g: g.code)]}
                for s in sorted(Station.objects.filter(election=e).prefetch_related("groups"),
                                key=lambda s: (KIND_ORDER.get(s.kind, 9), s.pk))]
    # The community's villager/resident groups with their voters on the roll, for assigning stations.
    on_roll = dict(Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL, group__isnull=False)
                   .values_list("group").annotate(n=Count("id")))
    groups = [{"id": g.pk, "name": g.name, "voters": on_roll.get(g.pk, 0)}
              for g in AdminUnit.objects.filter(parent=e.unit, level=Level.NEIGHBOURHOOD).order_by("code")]
    active, revoked = Q(status=CardStatus.ACTIVE), Q(status=CardStatus.REVOKED)
    card_counts = VoterCard.objects.filter(election=e).aggregate(
        active=Count("id", filter=active), revoked=Count("id", filter=revoked),
        printed=Count("id", filter=active & Q(document__isnull=False)))
    arch = Archive.objects.filter(election=e).first()
    return {
        "id": e.pk, "unit": {"id": e.unit_id, "name": e.unit.name, "code": e.unit.code}, "round": e.round,
        "body": e.get_body_display(), "stage": e.stage, "stage_label": Stage(e.stage).label, "stopped": e.stopped,
        "election_day": e.election_day.isoformat(), "stations": stations, "groups": groups,
        "ungrouped": Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL, group__isnull=True).count(),
        "cards": card_counts,
        "votes": [vote_json(v) for v in Vote.objects.filter(election=e).order_by("number")],
        "proxies": [{"id": p.pk, "principal": p.principal.name, "holder": p.holder.name, "relation": p.relation,
                     "document": p.document} for p in Proxy.objects.filter(election=e, status=ProxyStatus.RECORDED)
                    .select_related("principal", "holder")],
        "announcements": [{"id": a.pk, "kind": a.kind, "kind_label": a.get_kind_display(), "document": a.document_id,
                           "url": f"/api/documents/{a.document_id}/file/", "post": a.post_id,
                           "state": a.post.state if a.post else None}
                          for a in Announcement.objects.filter(election=e).select_related("post")],
        "archive": {"checklist": archive.checklist(arch), "built_at": arch.built_at.isoformat() if arch and arch.built_at else None,
                    "sha256": arch.sha256 if arch else "", "manifest": arch.manifest if arch else [],
                    "url": f"/api/polling/elections/{e.pk}/archive/package/" if arch and arch.package else None},
    }


class ElectionListView(APIView):
    """``GET /api/polling/elections/``: the elections of the caller's jurisdiction with polling-day
    facts (stations, votes); ``?stage=polling`` narrows it."""

    permission_classes = [ReadStaffWriteWriter]

    def get(self, request: Request) -> Response:
        qs = Election.objects.visible_to(request_user(request)).select_related("unit").order_by("unit__code")
        if stage := request.query_params.get("stage"):
            qs = qs.filter(stage__in=stage.split(","))
        return Response({"results": [election_json(e) for e in qs[:50]]})


class ElectionView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def get(self, request: Request, pk: int) -> Response:
        return Response(election_json(_election(request, pk)))


class StationsView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        d = _body(request)
        s = services.add_station(request_user(request), _election(request, pk), kind=str(d.get("kind", "")),
                                 name=str(d.get("name", "")), groups=_ids(d.get("groups") or [], "groups"))
        return Response({"id": s.pk, "name": s.name, "kind": s.kind}, status=201)


def _ids(value: Any, name: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 500:
        raise DomainError("invalid_parameter", f"{name} 应为列表。")
    return [_id(g, name) for g in value]


class StationGroupsView(APIView):
    """``POST /api/polling/stations/<id>/groups/ {"groups": [unit ids]}``: the villager groups that
    vote at this station (the voter cards not yet printed follow)."""

    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        s = Station.objects.visible_to(user).select_related("election", "election__unit").filter(pk=pk).first()
        if s is None:
            raise DomainError("station_not_found", "投票站不存在或不在您的管辖范围内。", status_code=404)
        s = services.set_station_groups(user, s, _ids(_body(request).get("groups"), "groups"))
        return Response({"id": s.pk, "groups": [{"id": g.pk, "name": g.name} for g in s.groups.order_by("code")]})


class CardsView(APIView):
    """``GET``: the cards (masked ID numbers); ``POST``: make the missing cards and print every
    active card (a background job, watched with its progress bar)."""

    permission_classes = [ReadStaffWriteWriter]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        qs = VoterCard.objects.filter(election=e).select_related("voter", "station").order_by("-id")
        if q := request.query_params.get("q"):
            qs = qs.filter(voter__name__contains=q[:20])
        return Response({"results": [{"id": c.pk, "number": c.number, "name": c.voter.name, "status": c.status,
                                      "status_label": c.get_status_display(), "station": c.station.name if c.station else "",
                                      "id_masked": c.voter.id_masked, "printed": c.document_id is not None}
                                     for c in qs[:100]]})

    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        e = _election(request, pk)
        made = cards.ensure_cards(user, e)
        job = start_job("polling.voter_cards", user=user, unit=e.unit, params={"election": e.pk})
        return Response({"made": made, "job": job.pk}, status=202)


class CardReprintView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        card = VoterCard.objects.visible_to(user).select_related("election", "election__unit", "voter").filter(pk=pk).first()
        if card is None:
            raise DomainError("card_not_found", "选民证不存在。", status_code=404)
        new = cards.reprint(user, card, reason=str(_body(request).get("reason", "")))
        job = start_job("polling.voter_cards", user=user, unit=card.election.unit,
                        params={"election": card.election_id, "cards": [new.pk]})
        return Response({"id": new.pk, "number": new.number, "job": job.pk}, status=201)


class VotesView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        return Response(vote_json(services.open_vote(request_user(request), _election(request, pk))), status=201)


class VoteView(APIView):
    """``GET``: the vote with its boxes, what was entered, the differences of a double entry and the
    outcome so far (computed by the outcome function, nothing written)."""

    permission_classes = [ReadStaffWriteWriter]

    def get(self, request: Request, pk: int) -> Response:
        v = _vote(request, pk)
        body = {**vote_json(v), **counting.tally_summary(v), "differences": counting.differences(v)}
        try:
            body["preview"] = counting.preview(v) if v.status == "open" else v.outcome
        except DomainError as exc:
            body["preview"] = None
            body["preview_error"] = exc.as_dict()
        return Response(body)


class VoteActionView(APIView):
    """``POST /api/polling/votes/<id>/<action>/``: ballot (print), box (allocated/spoiled/returned),
    check, issue, ballots (one entered ballot, entry A or B), resolve (a double entry's difference:
    which entry the paper ballot confirms), totals, conclude, runoff."""

    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int, action: str) -> Response:
        user = request_user(request)
        if action == "check":  # the scan: one statement finds the vote in scope, the station and the card
            d = _body(request)
            return Response(scanning.check(user, pk, _id(d.get("station"), "station"), str(d.get("code", ""))[:200]))
        v = _vote(request, pk)
        d = _body(request)
        if action == "ballot":
            doc = services.print_ballot(user, v)
            return Response({"document": doc.pk, "url": f"/api/documents/{doc.pk}/file/", "pages": doc.pages})
        if action == "box":
            station = _station(v, d.get("station"))
            if "returned" in d:
                box = counting.set_returned(user, v, station, d["returned"])
            else:
                box = services.allocate(user, v, station, allocated=d.get("allocated", 0), spoiled=d.get("spoiled", 0))
            return Response({"station": station.pk, "allocated": box.allocated, "spoiled": box.spoiled, "returned": box.returned})
        if action == "issue":
            proxies = d.get("proxies") or []
            if not isinstance(proxies, list):
                raise DomainError("invalid_parameter", "proxies 应为列表。")
            return Response(scanning.issue(user, v, _station(v, d.get("station")), str(d.get("code", ""))[:200],
                                           proxies=[_id(p, "proxies") for p in proxies]), status=201)
        if action == "ballots":
            b = counting.enter_ballot(user, v, _station(v, d.get("station")), number=d.get("number"),  # type: ignore[arg-type]
                                      marks=d.get("marks") or {}, void=bool(d.get("void", False)), entry=str(d.get("entry", "A")))
            return Response({"id": b.pk, "number": b.number, "entry": b.entry, "other": counting.counterpart(b)}, status=201)
        if action == "resolve":
            b = counting.resolve(user, v, _station(v, d.get("station")), number=_id(d.get("number"), "number"),
                                 keep=str(d.get("keep", "")))
            return Response({"id": b.pk, "number": b.number, "entry": b.entry, "differences": counting.differences(v)})
        if action == "totals":
            return Response(vote_json(counting.set_totals(user, v, d.get("totals"))))
        if action == "conclude":
            return Response(vote_json(counting.conclude(user, v)))
        if action == "runoff":
            return Response(vote_json(counting.start_runoff(user, v)), status=201)
        raise DomainError("unknown_action", "未知的操作。", status_code=404)


class ProxiesView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        d = _body(request)
        p = services.record_proxy(request_user(request), _election(request, pk), principal=_id(d.get("principal"), "principal"),
                                  holder=_id(d.get("holder"), "holder"), relation=str(d.get("relation", "")),
                                  document=str(d.get("document", "")))
        return Response({"id": p.pk}, status=201)


class ProxyCancelView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        p = Proxy.objects.visible_to(user).select_related("election", "election__unit", "principal", "holder").filter(pk=pk).first()
        if p is None:
            raise DomainError("proxy_not_found", "委托不存在。", status_code=404)
        services.cancel_proxy(user, p)
        return Response({"id": p.pk, "status": "cancelled"})


class AnnouncementsView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        d = _body(request)
        e = _election(request, pk)
        vote = None
        if d.get("vote") not in (None, ""):
            vote = Vote.objects.filter(election=e, pk=_id(d.get("vote"), "vote")).first()
            if vote is None:
                raise DomainError("vote_not_found", "投票不存在。", status_code=404)
        a = announcements.announce(request_user(request), e, str(d.get("kind", "")), vote=vote)
        return Response({"id": a.pk, "document": a.document_id, "post": a.post_id,
                         "url": f"/api/documents/{a.document_id}/file/"}, status=201)


class ArchiveView(APIView):
    """``POST {"item", "done"}``: tick the paper-archive checklist; ``POST {"freeze": true}``: build
    the package and archive the election (read-only from then on)."""

    permission_classes = [ReadStaffWriteWriter]

    def post(self, request: Request, pk: int) -> Response:
        d = _body(request)
        user = request_user(request)
        e = _election(request, pk)
        if d.get("freeze"):
            archive.archive(user, e)
        else:
            archive.tick(user, e, str(d.get("item", "")), bool(d.get("done", True)))
        return Response(election_json(_election(request, pk))["archive"])


class ArchivePackageView(APIView):
    permission_classes = [ReadStaffWriteWriter]

    def get(self, request: Request, pk: int) -> FileResponse:
        e = _election(request, pk)
        arch = Archive.objects.filter(election=e).first()
        if arch is None or not arch.package:
            raise DomainError("no_archive", "尚未生成归档包。", status_code=404)
        return FileResponse(arch.package.open("rb"), as_attachment=True,
                            filename=f"{e.unit.name}{e.round}年换届选举归档包-{timezone.localdate():%Y%m%d}.zip")


class SupervisionView(APIView):
    """``GET /api/polling/supervision/``: turnout and results per community of the caller's
    jurisdiction on polling day, and the exceptions as they happen."""

    permission_classes = [ReadStaffWriteWriter]

    def get(self, request: Request) -> Response:
        return Response(supervision.overview(request_user(request), request.query_params.get("round")))
