"""Password policy beyond Django's validators: letters and digits, as government systems require."""
from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError("密码须同时包含字母和数字。", code="password_character_classes")

    def get_help_text(self) -> str:
        return "密码须同时包含字母和数字。"


class PublishedPasswordValidator:
    """The demo's password is printed in the README and docs/demo.md: no real account may use it.
    (The demo loader sets it on the demo accounts directly, without the validators.)"""

    def validate(self, password: str, user: Any = None) -> None:
        from boundaries.demo.accounts import DEMO_PASSWORD

        if password.strip().lower() == DEMO_PASSWORD.lower():
            raise ValidationError("该密码已在演示文档中公开，不能使用。", code="password_published")

    def get_help_text(self) -> str:
        return "不能使用演示文档中公开的密码。"


# Django's validators with the platform's Chinese messages, whatever language the request runs in.
class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "密码过于常见，请换一个。"

    def get_help_text(self) -> str:
        return "不能使用常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字。"

    def get_help_text(self) -> str:
        return "密码不能全是数字。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("密码与账号的用户名或姓名太相似。", code="password_too_similar") from None

    def get_help_text(self) -> str:
        return "密码不能与用户名或姓名太相似。"
