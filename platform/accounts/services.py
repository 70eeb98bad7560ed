"""Account services: who an administrator may see and manage, and the changes they make."""
from __future__ import annotations

from audit.models import Action
from audit.registry import record
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import User


@transaction.atomic
def set_password(target: User, password: str, actor: User) -> None:
    validate_password(password, target)
    target.set_password(password)
    target.save(update_fields=["password"])
    Token.objects.filter(user=target).delete()  # sessions elsewhere end with the hash change
    unit_path = target.unit.path if target.unit is not None else ""
    record(Action.UPDATE, target, unit_path, before={"password": "***"}, after={"password": "***（已重置）"},
           actor=actor)


@transaction.atomic
def deactivate(target: User) -> None:
    target.is_active = False
    target.save(update_fields=["is_active"])
    Token.objects.filter(user=target).delete()
