"""Automatic audit of create/update/delete for registered domain models.

A model is registered with ``audit.registry.register(Model, unit_path=..., exclude=..., masked=...)``
from its app's ``ready()``. The before-image is read in pre_save, so the event holds exactly what
changed. Personal fields listed in ``masked`` are recorded as "***" (the audit log is not a back door).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.functional import SimpleLazyObject, empty

from . import context
from .models import Action, AuditEvent


@dataclass
class Registration:
    unit_path: Callable[[Any], str]
    exclude: frozenset[str] = field(default_factory=frozenset)
    masked: frozenset[str] = field(default_factory=frozenset)


_registry: dict[type[models.Model], Registration] = {}


def register(
    model: type[models.Model],
    unit_path: Callable[[Any], str],
    exclude: tuple[str, ...] = (),
    masked: tuple[str, ...] = (),
) -> None:
    _registry[model] = Registration(unit_path, frozenset(exclude) | {"updated_at", "created_at"}, frozenset(masked))
    _connect(model)


def _value(value: Any) -> Any:
    if isinstance(value, GEOSGeometry):
        # Full geometry can be huge; the boundary history keeps every version. Record a digest.
        return {"type": value.geom_type, "vertices": value.num_coords, "extent": [round(c, 6) for c in value.extent]}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, reg: Registration) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.name in reg.exclude:
            continue
        data[f.attname] = "***" if f.name in reg.masked else _value(getattr(instance, f.attname))
    return data


def _masked_digests(instance: models.Model, reg: Registration) -> dict[str, str]:
    """Digests of the masked fields: a change to them is recorded (as "***"), the value never."""
    return {
        f.attname: hashlib.sha256(repr(getattr(instance, f.attname)).encode()).hexdigest()
        for f in instance._meta.concrete_fields
        if f.name in reg.masked and f.name not in reg.exclude
    }


def _unwrap(value: Any) -> Any:
    """The real user behind (possibly nested) lazy objects, or None."""
    while isinstance(value, SimpleLazyObject):
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    return value


def record(
    action: str,
    instance: models.Model,
    unit_path: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor: Any = None,
) -> AuditEvent:
    ctx = context.current()
    actor = _unwrap(actor or ctx.user)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=getattr(actor, "username", "") if actor else "system",
        ip=ctx.ip,
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        unit_path=unit_path,
        before=before,
        after=after,
        reason=reason or ctx.reason,
    )


def record_transition(sender: Any, item: models.Model, user: Any, action: str, before: dict[str, Any],
                      after: dict[str, Any], reason: str = "", **kwargs: Any) -> None:
    """A review-workflow step (core.workflow.signals.transitioned) as an update with its reason."""
    unit = getattr(item, "unit", None)
    record(Action.UPDATE, item, getattr(unit, "path", ""), before, after, reason=reason, actor=user)


def _pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    reg = _registry[sender]
    old = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = snapshot(old, reg) if old else None  # type: ignore[attr-defined]
    instance._audit_masked = _masked_digests(old, reg) if old else {}  # type: ignore[attr-defined]
    # Where the object was: an object that leaves every unit (a person transferred out or gone from
    # the city) is recorded under the unit it left, so that unit's administrators read the event.
    instance._audit_before_path = reg.unit_path(old) if old else ""  # type: ignore[attr-defined]


def _post_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    reg = _registry[sender]
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance, reg)
    if before is not None:
        masked_before = getattr(instance, "_audit_masked", {})
        changed = {k for k in after if before.get(k) != after[k]}
        changed |= {k for k, v in _masked_digests(instance, reg).items() if masked_before.get(k) != v}
        if not changed:
            return
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    path = reg.unit_path(instance) or getattr(instance, "_audit_before_path", "")
    record(Action.CREATE if created else Action.UPDATE, instance, path, before, after)


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    reg = _registry[sender]
    record(Action.DELETE, instance, reg.unit_path(instance), snapshot(instance, reg), None)


def _connect(model: type[models.Model]) -> None:
    uid = f"audit-{model._meta.label}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-del")


def connect_registered_models() -> None:
    for model in _registry:
        _connect(model)
