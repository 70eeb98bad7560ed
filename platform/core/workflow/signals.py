"""The kernel's workflow announces each transition; the audit trail listens (audit/apps.py), so the
kernel records every step without importing a module."""
from __future__ import annotations

from django.dispatch import Signal

#: Sent after each transition, inside its transaction: sender=the item's model, item, user, action,
#: before and after ({"state", "escalation", "audience"}), reason.
transitioned = Signal()
