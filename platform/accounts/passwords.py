"""Password policy beyond Django's validators: letters and digits, as government systems require."""
from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError("密码须同时包含字母和数字。", code="password_character_classes")

    def get_help_text(self) -> str:
        return "密码须同时包含字母和数字。"
