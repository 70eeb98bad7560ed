"""Candidates: nominations with their counts, the formal list by the rules, and the joint review
(候选人联审) by the configured departments."""
from __future__ import annotations

from core.errors import DomainError

from .codes import CandidateStatus
from .models import Election


def ensure_nominations(e: Election) -> None:
    if not e.candidates.exists():
        raise DomainError("no_nominations", "尚无候选人提名。", status_code=409)


def ensure_reviewed(e: Election) -> None:
    if e.candidates.filter(status=CandidateStatus.FORMAL).exists() or not e.candidates.filter(
            status=CandidateStatus.APPROVED).exists():
        raise DomainError("review_open", "候选人联审尚未完成。", status_code=409)
