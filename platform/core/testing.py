"""The standard actors every module's tests start from, so each module is tried by the same people.

``actors`` (a pytest fixture, registered by the root conftest) names them over the demo's accounts:

=================== ===========================================================
village_staff       staff of this village/community (writes here)
village_admin       its unit administrator
village_reviewer    its reviewer
resident            a resident of this village (民政易)
neighbour_staff     staff of the neighbouring village (same town)
neighbour_resident  a resident of the neighbouring village
town_staff          staff of the town above both villages
town_supervisor     the town's read-only supervisor
other_town_admin    the administrator of another town
district_admin      the district bureau's administrator
town_reviewer       the town's reviewer (reviews what villages send up)
district_reviewer   the district bureau's reviewer (reviews what towns send up)
anonymous           nobody signed in
=================== ===========================================================

``actors.client(name)`` is a DRF test client signed in with that actor's token (anonymous: none).
``STANDARD`` is the set a cross-jurisdiction matrix walks.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

STANDARD = ("village_staff", "neighbour_staff", "town_staff", "other_town_admin", "town_supervisor",
            "resident", "neighbour_resident", "anonymous")
ALL = (*STANDARD, "village_admin", "village_reviewer", "district_admin", "town_reviewer", "district_reviewer")


class Actors:
    def __init__(self, demo: Any) -> None:
        self._demo = demo

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.user(name)

    def user(self, name: str) -> Any:
        if name == "anonymous":
            return None
        if name not in ALL:
            raise AttributeError(f"no standard actor {name!r}")
        return getattr(self._demo, name)

    def client(self, name: str, **defaults: Any) -> APIClient:
        user = self.user(name)
        return APIClient(**defaults) if user is None else token_client(user, **defaults)

    def __iter__(self) -> Iterator[str]:
        return iter(STANDARD)


def token_client(user: Any, **defaults: Any) -> APIClient:
    """A DRF test client signed in as ``user`` by token."""
    client = APIClient(**defaults)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def actors(demo: Any) -> Actors:
    return Actors(demo)
