from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle
from .models import LoginType

# The API's error text (Chinese, like every DomainError); the sign-in form's follows the UI language.
LOCKED_MESSAGE = "登录失败次数过多，请15分钟后再试。"
LOCKED_FORM_MESSAGE = _("Too many failed sign-ins. Try again in 15 minutes.")

# The user types of the sign-in page, in the page's language (the model's labels are Chinese only).
LOGIN_TYPE_CHOICES = [
    (LoginType.GOVERNMENT.value, _("Government department")),
    (LoginType.COMMUNITY.value, _("Village / community")),
    (LoginType.RESIDENT.value, _("Resident")),
]


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing before the password check once the limit is reached, and
    checking the user type chosen on the page (政府部门 / 村·社区 / 居民) against the account."""

    login_type = forms.ChoiceField(
        label=_("User type"), choices=LOGIN_TYPE_CHOICES, required=False, widget=forms.RadioSelect,
        initial=LoginType.COMMUNITY.value,
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or the password is wrong. Note that the password is case-sensitive."),
        "wrong_login_type": _("This is not a “%(chosen)s” account: choose “%(actual)s” and sign in again."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and throttle.is_locked(username, self.request):
            raise forms.ValidationError(LOCKED_FORM_MESSAGE, code="login_rate_limited")
        cleaned = super().clean()
        chosen = cleaned.get("login_type")
        user = self.get_user()
        # A form posted without a type (an API client, an old bookmark) is not refused for it.
        if chosen and user is not None and user.login_type != chosen:
            labels = dict(LOGIN_TYPE_CHOICES)
            raise forms.ValidationError(
                self.error_messages["wrong_login_type"], code="wrong_login_type",
                params={"chosen": labels.get(chosen, chosen), "actual": labels.get(user.login_type, user.login_type)},
            )
        throttle.reset(username, self.request)
        return cleaned
