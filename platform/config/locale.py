"""One language choice for every page: Simplified Chinese unless the user chose otherwise.

Django's LocaleMiddleware falls back to the browser's Accept-Language, so a clerk whose browser is
set to English would get an English home page while the map (which does not read that header)
stays Chinese. The platform's rule is simpler: the language cookie that the language switch of
every page sets (Django's ``set_language`` view, ``LANGUAGE_COOKIE_NAME``), else LANGUAGE_CODE.
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(request: HttpRequest) -> str:
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without the Accept-Language fallback (no language prefixes in URLs here)."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
