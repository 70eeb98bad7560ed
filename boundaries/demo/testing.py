"""The ``demo`` test fixture's object: the tiny demo's chosen units and accounts, looked up lazily.

Attributes are fetched by code/username (and cached until the demo is reloaded), so the object
stays valid when a transactional test flushes the database and the conftest reloads the demo.
"""
from __future__ import annotations

from typing import Any

from accounts.models import User

from boundaries.models import AdminUnit

from .loader import DemoInfo, load_demo

UNIT_ATTRS = ("city", "district", "town", "other_town", "community", "neighbour_community")


class Demo:
    """``demo.town``, ``demo.community``, ``demo.village_staff``... (see DemoInfo.usernames)."""

    def __init__(self, info: DemoInfo) -> None:
        self.info = info
        self._cache: dict[str, Any] = {}

    def reset(self) -> None:
        self._cache.clear()

    @property
    def third_community(self) -> AdminUnit:
        return self._get("third_community")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "info":
            raise AttributeError(name)
        if name in UNIT_ATTRS or name in self.info.usernames:
            return self._get(name)
        raise AttributeError(name)

    def _get(self, name: str) -> Any:
        if name not in self._cache:
            if name == "third_community":
                self._cache[name] = AdminUnit.objects.get(code=self.info.detail_communities[2])
            elif name in UNIT_ATTRS:
                self._cache[name] = AdminUnit.objects.get(code=getattr(self.info, name))
            else:
                self._cache[name] = User.objects.select_related("unit").get(username=self.info.usernames[name])
        return self._cache[name]

    def unit(self, code: str) -> AdminUnit:
        return AdminUnit.objects.get(code=code)


def load_tiny() -> DemoInfo:
    return load_demo("tiny")


def demo_present(info: DemoInfo) -> bool:
    return AdminUnit.objects.filter(code=info.district).exists() and User.objects.filter(
        username=info.usernames["village_staff"]
    ).exists()
