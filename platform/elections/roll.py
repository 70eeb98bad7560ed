"""The roll (选民名单): registration from the population pool or a workbook, additions and removals with a
reason, the one-roll-per-person check across the district, and publication after review."""
from __future__ import annotations

from typing import Any


def announcement_changed(post: Any, *, user: Any, action: str) -> None:
    """A publication post changed state; if it is an election's roll announcement, follow it."""
    return None
