"""The roll becomes published when its announcement (a publication post) is published by a reviewer."""
from __future__ import annotations

from typing import Any


def connect() -> None:
    from core.workflow.signals import transitioned

    transitioned.connect(_on_transition, weak=False, dispatch_uid="elections-roll-published")


def _on_transition(sender: type, item: Any, user: Any = None, action: str = "", **kwargs: Any) -> None:
    from publication.models import Post

    if sender is not Post or action not in ("publish", "approve", "reject", "withdraw"):
        return
    from . import announce

    announce.announcement_changed(item, user=user, action=action)
