"""What the election API answers: plain dicts built from the models (masked ID numbers only)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import roles
from django.utils import timezone

from .. import calendar, roll
from ..codes import STAGE_ORDER, Body, Category, Mode, ObjectionKind, Stage, StopKind, StopStatus
from ..codes import Post as PostKind
from ..models import Candidate, Conflict, Election, Event, Objection, Stop, Vetting, Voter
from ..supervision import STAGE_COLOURS, STOPPED_COLOUR


def _d(v: dt.date | dt.datetime | None) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return timezone.localtime(v).isoformat(timespec="seconds")
    return v.isoformat()


def meta() -> dict[str, Any]:
    return {"stages": [{"value": s, "label": Stage(s).label, "colour": STAGE_COLOURS[s]} for s in STAGE_ORDER],
            "stopped_colour": STOPPED_COLOUR,
            "bodies": [{"value": v, "label": label} for v, label in Body.choices],
            "modes": [{"value": v, "label": label} for v, label in Mode.choices],
            "posts": [{"value": v, "label": label} for v, label in PostKind.choices],
            "categories": [{"value": v, "label": label} for v, label in Category.choices],
            "objection_kinds": [{"value": v, "label": label} for v, label in ObjectionKind.choices],
            "stop_kinds": [{"value": v, "label": label} for v, label in StopKind.choices]}


def election_item(e: Election) -> dict[str, Any]:
    return {"id": e.pk, "unit": e.unit_id, "unit_name": e.unit.name, "unit_code": e.unit.code, "round": e.round,
            "body": e.body, "body_label": e.get_body_display(), "mode": e.mode, "mode_label": e.get_mode_display(),
            "election_day": _d(e.election_day), "stage": e.stage, "stage_label": e.get_stage_display(),
            "stopped": e.stopped, "colour": STOPPED_COLOUR if e.stopped else STAGE_COLOURS[e.stage]}


def election_detail(e: Election, user: Any) -> dict[str, Any]:
    plan = calendar.parse_plan(e.calendar)
    verdict = calendar.evaluate(election_day=e.election_day, body=e.body, province=e.rule_province, plan=plan)
    published = timezone.localtime(e.roll_published_at).date() if e.roll_published_at else None
    d = calendar.deadlines(election_day=e.election_day, body=e.body, province=e.rule_province, published_on=published)
    return {
        **election_item(e), "rule_set": e.rule_set, "rule_version": e.rule_version, "rule_province": e.rule_province,
        "committee": e.committee, "posts": [{"id": p.pk, "kind": p.kind, "label": p.get_kind_display(), "seats": p.seats}
                                           for p in e.posts.all()],
        "calendar": verdict.as_dict(), "deadlines": {**d.as_dict(), "roll_published_on": _d(published)},
        "roll_published_at": _d(e.roll_published_at), "roll_post": e.roll_post_id, "roll_document": e.roll_document_id,
        "roll_document_url": f"/api/documents/{e.roll_document_id}/file/" if e.roll_document_id else None,
        "counts": roll.counts(e),
        "stops": [stop_dict(s) for s in e.stops.all().select_related("created_by", "authorised_by")],
        "actions": actions(e, user),
    }


def actions(e: Election, user: Any) -> list[str]:
    """What the client may offer: the guard's view of the election and the user's capabilities."""
    if e.stage == Stage.ARCHIVED:
        return []
    out: list[str] = []
    if e.stopped:
        return ["authorise"] if roles.can_guide_elections(user) else []
    if not roles.can_write(user):
        return out
    by_stage = {
        Stage.REGISTRATION: ["setup", "import", "add_voter", "remove_voter", "submit_roll", "stop"],
        Stage.ROLL_PUBLISHED: ["objection", "advance", "stop"],
        Stage.NOMINATION: ["objection", "nominate", "formal_list", "stop"],
        Stage.CANDIDATES: ["formal_list", "submit_review", "stop"],
        Stage.JOINT_REVIEW: ["stop"] + (["advance"] if not Vetting.objects.filter(
            candidate__election=e, passed__isnull=True).exists() else []),
        Stage.HANDOVER: ["stop"],  # archived only through the archive step (checklist and package)
    }
    out = by_stage.get(Stage(e.stage), ["advance", "stop"])
    return out


def voter_dict(v: Voter) -> dict[str, Any]:
    return {"id": v.pk, "name": v.name, "gender": v.get_gender_display(), "id_masked": v.id_masked,
            "group": v.group_id, "group_name": v.group.name if v.group_id and v.group else "",
            "category": v.category, "category_label": v.get_category_display(), "status": v.status,
            "status_label": v.get_status_display(), "source": v.get_source_display(), "reason": v.reason,
            "acceptance": v.acceptance}


def event_dict(ev: Event) -> dict[str, Any]:
    return {"id": ev.pk, "at": _d(ev.at), "kind": ev.kind, "stage": ev.stage, "stage_label": ev.get_stage_display(),
            "text": ev.text, "rule": ev.rule, "actor": ev.actor_name}


def stop_dict(s: Stop) -> dict[str, Any]:
    return {"id": s.pk, "kind": s.kind, "kind_label": s.get_kind_display(), "stage": s.stage,
            "stage_label": s.get_stage_display(), "reason": s.reason, "rule": s.rule, "status": s.status,
            "status_label": s.get_status_display(), "open": s.status == StopStatus.OPEN, "created_at": _d(s.created_at),
            "authorised_at": _d(s.authorised_at), "authorisation": s.authorisation,
            "authorised_by": s.authorised_by.username if s.authorised_by else ""}


def objection_dict(o: Objection) -> dict[str, Any]:
    return {"id": o.pk, "election": o.election_id, "kind": o.kind, "kind_label": o.get_kind_display(),
            "voter": o.voter_id, "subject_name": o.subject_name, "text": o.text, "objector_name": o.objector_name,
            "via_app": o.via_app, "received_on": _d(o.received_on), "decide_by": _d(o.decide_by), "status": o.status,
            "status_label": o.get_status_display(), "decision": o.decision, "decided_at": _d(o.decided_at),
            "late": o.late}


def candidate_dict(c: Candidate) -> dict[str, Any]:
    return {"id": c.pk, "post": c.post.kind, "post_label": c.post.get_kind_display(), "voter": c.voter_id,
            "name": c.name, "gender": c.get_gender_display(), "status": c.status, "status_label": c.get_status_display(),
            "nominations": c.nominations}


def vetting_dict(v: Vetting, user: Any) -> dict[str, Any]:
    from ..candidates import may_answer

    return {"id": v.pk, "candidate": v.candidate_id, "candidate_name": v.candidate.name,
            "department": v.department.name, "department_unit": v.department.unit.name, "passed": v.passed,
            "reason": v.reason, "answered_at": _d(v.answered_at), "may_answer": v.passed is None and may_answer(user, v)}


def conflict_dict(c: Conflict) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "id_masked": c.id_masked, "other_community": c.other.unit.name,
            "other_election": c.other_id, "source": c.get_source_display(), "detected_at": _d(c.detected_at)}
