"""Notices to people: in-app messages (站内消息) and SMS through one call.

    from core.notices import Recipient, notify

    notify([user_a, Recipient.for_phone("13800138000")], "停水通知", "明日9时至12时停水。",
           link="/app/#/notices/12", sms=True)

Inside a job pass ``job=job``: progress is reported and SMS are sent in that job; a job run again
never enqueues twice. ``GET /api/messages/`` lists the signed-in account's messages;
``frontend-map/src/common/messages.ts`` shows them.
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:  # services import models, which load with the app registry
    if name in ("notify", "Recipient", "opt_out", "send_outbox", "normalise_mobile"):
        from . import services

        return getattr(services, name)
    raise AttributeError(name)


__all__ = ["Recipient", "normalise_mobile", "notify", "opt_out", "send_outbox"]
