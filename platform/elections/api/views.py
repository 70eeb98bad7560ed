"""Elections API: thin views over the services. Every object is looked up through ``visible_to`` (an
election outside the jurisdiction is 404); every write goes through a service that calls the guard."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from core import roles
from core.errors import DomainError
from core.permissions import IsSignedIn, IsStaffAccount
from core.types import request_user
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.models import AdminUnit

from .. import announce, calendar, candidates, objections, roll, services, supervision
from ..codes import VoterStatus
from ..models import Candidate, Conflict, Election, Objection, Stop, Vetting, Voter
from . import serializers as out
from .evaluate import EvaluateCalendarView, EvaluateEligibilityView, body_dict, int_param

__all__ = ["EvaluateCalendarView", "EvaluateEligibilityView"]
MAX_PAGE = 200
MAX_UPLOAD = 20 * 1024 * 1024


def _election(request: Request, pk: int) -> Election:
    return get_object_or_404(Election.objects.visible_to(request.user).select_related("unit"), pk=pk)


def _job(job: Any) -> Response:
    return Response({"job": job.pk, "kind": job.kind, "title": job.title}, status=202)


def _date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise DomainError("invalid_date", f"{name} 应为日期（YYYY-MM-DD）。") from None


def _plan(raw: Any) -> dict[str, dt.date] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise DomainError("invalid_plan", "plan 应为 {阶段: 日期} 对象。")
    try:
        return calendar.parse_plan(raw)
    except ValueError:
        raise DomainError("invalid_date", "plan 中的日期应为 YYYY-MM-DD。") from None


def _posts(raw: Any) -> dict[str, int] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 20
                                            for v in raw.values()):
        raise DomainError("invalid_posts", "posts 应为 {director, deputy, member: 人数}。")
    from ..codes import Post as PostKind

    if set(raw) - set(PostKind.values):
        raise DomainError("invalid_posts", "职位应为 director（主任）、deputy（副主任）、member（委员）。")
    return {str(k): int(v) for k, v in raw.items()}


def _committee(raw: Any) -> list[dict[str, str]] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        raise DomainError("invalid_committee", "committee 应为 [{name, role}] 列表。")
    return raw


class MetaView(APIView):
    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:
        return Response(out.meta())


class ElectionListView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def get(self, request: Request) -> Response:
        qs = Election.objects.visible_to(request.user).select_related("unit").order_by("unit__code")
        if round := request.query_params.get("round"):
            qs = qs.filter(round=round[:20])
        if (unit := int_param(request.query_params.get("unit"), "unit")) is not None:
            qs = qs.filter(unit_id=unit)
        return Response({"results": [out.election_item(e) for e in qs.defer("unit__geom", "unit__geom_3857")[:500]]})

    def post(self, request: Request) -> Response:
        data = body_dict(request)
        user = request_user(request)
        unit_id = int_param(data.get("unit"), "unit")
        unit = user.unit if unit_id is None else AdminUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise DomainError("unit_not_found", "单位不存在。", status_code=404)
        e = services.create_election(user, unit, round=str(data.get("round") or ""),
                                     election_day=_date(data.get("election_day"), "election_day"),
                                     mode=str(data.get("mode") or "direct"), posts=_posts(data.get("posts")),
                                     plan=_plan(data.get("plan")), committee=_committee(data.get("committee")))
        return Response(out.election_detail(e, user), status=201)


class ElectionDetailView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def get(self, request: Request, pk: int) -> Response:
        return Response(out.election_detail(_election(request, pk), request.user))

    def patch(self, request: Request, pk: int) -> Response:
        data = body_dict(request)
        e = services.update_setup(request_user(request), _election(request, pk), plan=_plan(data.get("plan")),
                                  committee=_committee(data.get("committee")), posts=_posts(data.get("posts")))
        return Response(out.election_detail(e, request.user))


class AdvanceView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        e = services.advance(request_user(request), _election(request, pk), str(body_dict(request).get("to") or ""))
        return Response(out.election_detail(e, request.user))


class TimelineView(APIView):
    permission_classes = [IsStaffAccount]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        return Response([out.event_dict(ev) for ev in e.events.all().order_by("at", "id")])


class VoterListView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        qs = Voter.objects.visible_to(request.user).filter(election=e).select_related("group")
        status = request.query_params.get("status", VoterStatus.ON_ROLL)
        if status != "all":
            qs = qs.filter(status=status)
        if q := request.query_params.get("q"):
            qs = qs.filter(name__startswith=q[:20])
        if (group := int_param(request.query_params.get("group"), "group")) is not None:
            qs = qs.filter(group_id=group)
        limit = min(int_param(request.query_params.get("limit"), "limit") or 50, MAX_PAGE)
        offset = int_param(request.query_params.get("offset"), "offset") or 0
        rows = list(qs.order_by("group__name", "id")[offset:offset + limit + 1])
        return Response({"results": [out.voter_dict(v) for v in rows[:limit]], "offset": offset, "limit": limit,
                         "more": len(rows) > limit, "counts": roll.counts(e)})

    def post(self, request: Request, pk: int) -> Response:
        v = roll.add_voter(request_user(request), _election(request, pk), body_dict(request))
        return Response(out.voter_dict(v), status=201)


class VoterRemoveView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        v = get_object_or_404(Voter.objects.visible_to(request.user).select_related("election__unit"), pk=pk)
        v = roll.remove_voter(request_user(request), v, str(body_dict(request).get("reason") or ""))
        return Response(out.voter_dict(v))


class PoolPreviewView(APIView):
    """GET: who the pool import would register and who not, with each reason. Writes nothing."""

    permission_classes = [IsStaffAccount]

    def get(self, request: Request, pk: int) -> Response:
        return Response(roll.preview(request_user(request), _election(request, pk)))


class ImportPoolView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        from core.jobs import start_job

        e = _election(request, pk)
        user = request_user(request)
        services.ensure_may_write(user, e)
        services.ensure_writable(e, "roll")
        skip = body_dict(request).get("skip") or []
        if not isinstance(skip, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in skip):
            raise DomainError("invalid_skip", "skip 应为人员编号列表。")
        return _job(start_job("elections.import_pool", user=user, unit=e.unit, params={"election": e.pk, "skip": skip}))


class ImportExcelView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request: Request, pk: int) -> Response:
        from core.jobs import start_job

        e = _election(request, pk)
        user = request_user(request)
        services.ensure_may_write(user, e)
        services.ensure_writable(e, "roll")
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("file_required", "请选择要导入的 Excel 文件。")
        if upload.size is None or upload.size > MAX_UPLOAD:
            raise DomainError("file_too_large", "文件不能超过 20 MB。")
        path = default_storage.save(f"elections/imports/{uuid.uuid4().hex}.xlsx", ContentFile(upload.read()))
        return _job(start_job("elections.import_excel", user=user, unit=e.unit, params={"election": e.pk, "path": path}))


class ConflictListView(APIView):
    permission_classes = [IsStaffAccount]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        qs = Conflict.objects.visible_to(request.user).filter(election=e).select_related("other__unit")
        return Response([out.conflict_dict(c) for c in qs[:500]])


class SubmitRollView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        return _job(announce.submit_roll(request_user(request), _election(request, pk)))


class ObjectionListView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        return Response([out.objection_dict(o) for o in Objection.objects.visible_to(request.user).filter(election=e)])

    def post(self, request: Request, pk: int) -> Response:
        o = objections.file_objection(request_user(request), _election(request, pk), body_dict(request))
        return Response(out.objection_dict(o), status=201)


class ObjectionDecideView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        o = get_object_or_404(Objection.objects.visible_to(request.user).select_related("election__unit"), pk=pk)
        data = body_dict(request)
        if not isinstance(data.get("upheld"), bool):
            raise DomainError("upheld_required", "请选择异议是否成立。")
        voter = data.get("voter")
        if voter is not None and not isinstance(voter, dict):
            raise DomainError("invalid_voter", "voter 应为对象。")
        o = objections.decide(request_user(request), o, upheld=data["upheld"], decision=str(data.get("decision") or ""),
                              voter_data=voter)
        return Response(out.objection_dict(o))


class CandidateListView(APIView):
    permission_classes = [IsStaffAccount]
    parser_classes = [JSONParser]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        qs = Candidate.objects.visible_to(request.user).filter(election=e).select_related("post")
        return Response([out.candidate_dict(c) for c in qs])

    def post(self, request: Request, pk: int) -> Response:
        data = body_dict(request)
        voter = int_param(data.get("voter"), "voter")
        nominations = data.get("nominations")
        if voter is None or not isinstance(nominations, int) or isinstance(nominations, bool):
            raise DomainError("invalid_nomination", "请选择选民并填写提名票数。")
        c = candidates.nominate(request_user(request), _election(request, pk), voter_id=voter,
                                post=str(data.get("post") or ""), nominations=nominations)
        return Response(out.candidate_dict(c), status=201)


class CandidateView(APIView):
    permission_classes = [IsStaffAccount]

    def delete(self, request: Request, pk: int) -> Response:
        c = get_object_or_404(Candidate.objects.visible_to(request.user).select_related("election__unit"), pk=pk)
        candidates.withdraw_nomination(request_user(request), c)
        return Response(status=204)


class FormalListView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        ids = body_dict(request).get("candidates")
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise DomainError("invalid_candidates", "candidates 应为候选人编号列表。")
        applied = candidates.set_formal_list(request_user(request), _election(request, pk), ids)
        return Response({"rules": [a.as_dict() for a in applied]})


class SubmitReviewView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        n = candidates.submit_review(request_user(request), _election(request, pk))
        return Response({"requests": n})


class VettingListView(APIView):
    permission_classes = [IsStaffAccount]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        qs = (Vetting.objects.visible_to(request.user).filter(candidate__election=e)
              .select_related("candidate", "department", "department__unit").defer("department__unit__geom",
                                                                                   "department__unit__geom_3857"))
        return Response([out.vetting_dict(v, request.user) for v in qs])


class VettingAnswerView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        v = get_object_or_404(Vetting.objects.visible_to(request.user).select_related("candidate__election__unit"), pk=pk)
        data = body_dict(request)
        if not isinstance(data.get("passed"), bool):
            raise DomainError("passed_required", "请选择通过或不通过。")
        v = candidates.answer(request_user(request), v, passed=data["passed"], reason=str(data.get("reason") or ""))
        return Response(out.vetting_dict(v, request.user))


class StopListView(APIView):
    permission_classes = [IsStaffAccount]

    def get(self, request: Request, pk: int) -> Response:
        e = _election(request, pk)
        return Response([out.stop_dict(s) for s in Stop.objects.visible_to(request.user).filter(election=e)])

    def post(self, request: Request, pk: int) -> Response:
        data = body_dict(request)
        s = services.report_stop(request_user(request), _election(request, pk), kind=str(data.get("kind") or ""),
                                 reason=str(data.get("reason") or ""))
        return Response(out.stop_dict(s), status=201)


class AuthoriseView(APIView):
    permission_classes = [IsStaffAccount]

    def post(self, request: Request, pk: int) -> Response:
        s = get_object_or_404(Stop.objects.visible_to(request.user).select_related("election__unit"), pk=pk)
        s = services.authorise(request_user(request), s, reason=str(body_dict(request).get("reason") or ""))
        return Response(out.stop_dict(s))


class SupervisionView(APIView):
    """GET ?round=2026&unit=<id>: every election of the round in the jurisdiction, with its stage colour,
    risks and roll counts, and a summary by stage (the list beside the map layer)."""

    permission_classes = [IsStaffAccount]

    def get(self, request: Request) -> Response:
        unit = None
        if (unit_id := int_param(request.query_params.get("unit"), "unit")) is not None:
            unit = get_object_or_404(AdminUnit.objects.visible_to(request.user).only("id", "path"), pk=unit_id)
        rows = supervision.elections_for(request.user, (request.query_params.get("round") or "2026")[:20], unit)
        return Response({"summary": supervision.summary(rows), "elections": rows})


class DuplicatesView(APIView):
    """GET ?round=2026: people on more than one roll of the round in the jurisdiction (town and district)."""

    permission_classes = [IsStaffAccount]

    def get(self, request: Request) -> Response:
        from core.scoping import scope_path

        path = scope_path(request.user)
        if path is None or not roles.can_write(request.user):
            raise DomainError("forbidden", "无权查看。", status_code=403)
        return Response(roll.duplicates((request.query_params.get("round") or "2026")[:20], path))


class AppElectionsView(APIView):
    """民政易: my community's elections whose roll is published, with the objection window and my objections."""

    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:
        answer = []
        for e in objections.readable_elections(request.user).select_related("unit"):
            published = e.roll_published_at.date() if e.roll_published_at else None
            d = calendar.deadlines(election_day=e.election_day, body=e.body, province=e.rule_province, published_on=published)
            mine = Objection.objects.filter(election=e, objector=request_user(request)).order_by("-created_at")
            answer.append({**out.election_item(e), "roll_post": e.roll_post_id,
                           "objections_until": d.objections_until.isoformat(),
                           "objection_rule": str(d.rules["objection"].rule.citation),
                           "objections_open": e.stage in ("roll_published", "nomination") and not e.stopped,
                           "my_objections": [out.objection_dict(o) for o in mine]})
        return Response(answer)


class AppObjectionView(APIView):
    permission_classes = [IsSignedIn]
    parser_classes = [JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        if not roles.is_resident(request.user):
            raise DomainError("residents_only", "此入口供居民使用；工作人员请在选举管理中登记异议。", status_code=403)
        e = get_object_or_404(objections.readable_elections(request.user), pk=pk)
        data = {k: v for k, v in body_dict(request).items() if k in ("kind", "subject_name", "text", "voter")}
        o = objections.file_objection(request_user(request), e, data)
        return Response(out.objection_dict(o), status=201)
