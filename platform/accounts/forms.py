from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle

# The API's error text (Chinese, like every DomainError); the sign-in form's follows the UI language.
LOCKED_MESSAGE = "登录失败次数过多，请15分钟后再试。"
LOCKED_FORM_MESSAGE = _("Too many failed sign-ins. Try again in 15 minutes.")


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing before the password check once the limit is reached."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and throttle.is_locked(username, self.request):
            raise forms.ValidationError(LOCKED_FORM_MESSAGE, code="login_rate_limited")
        cleaned = super().clean()
        throttle.reset(username, self.request)
        return cleaned
