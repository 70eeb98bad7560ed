"""Types the kernel names without importing a module at run time (the kernel imports no module)."""
from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from rest_framework.exceptions import NotAuthenticated

if TYPE_CHECKING:
    from accounts.models import User
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from rest_framework.request import Request

    #: Whoever is asking: a signed-in account, an anonymous visitor, or nobody (a system task).
    AnyUser: TypeAlias = User | AnonymousUser | None


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in account of a request whose view requires one (permission classes let only
    signed-in users through); refuses an anonymous one rather than passing it on."""
    user = request.user
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()
    return user
