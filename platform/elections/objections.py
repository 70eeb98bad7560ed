"""Objections to the published roll (选民名单异议): received within the window, decided within the
deadline, the decision sent to the objector; an upheld objection is the only change to a published roll."""
from __future__ import annotations

from core.errors import DomainError

from .codes import ObjectionStatus
from .models import Election


def ensure_all_decided(e: Election) -> None:
    pending = e.objections.filter(status=ObjectionStatus.PENDING).count()
    if pending:
        raise DomainError("objections_pending", f"还有 {pending} 件选民名单异议未作出处理决定。", status_code=409)
