"""Session-wide test set-up: one real PostGIS test database for the whole run.

The tiny Yubei demo (real district/town/community codes, a few detailed communities, demo
accounts) is loaded ONCE into the test database when it is created, so every
``@pytest.mark.django_db`` test sees it; the ``demo`` fixture names its units and users
(boundaries.demo.testing.Demo). Don't create units with the demo's codes (500000, 500112...) in
tests: use the demo, or codes of another district (e.g. 500113) for your own factories.
A transactional test (``transaction=True``, ``live_server``) flushes the database when it ends;
the demo is then loaded again before the next test.
"""
from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

# The standard actors (``actors`` fixture) every module's tests start from.
pytest_plugins = ["core.testing"]
_demo_info: Any = None
_demo_obj: Any = None


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_manifest() -> Generator[None, None, None]:
    """Production uses WhiteNoise's manifest storage, which needs ``collectstatic`` first; tests
    render pages (admin, home) straight from the source static files instead."""
    from django.conf import settings
    from django.test import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:  # noqa: PT004
    global _demo_info
    from boundaries.demo.testing import load_tiny

    with django_db_blocker.unblock():
        _demo_info = load_tiny()


@pytest.fixture(scope="session")
def demo(django_db_setup: None) -> Any:
    """The tiny demo's units and accounts: .district, .town, .community, .neighbour_community,
    .other_town, .district_admin, .town_admin, .village_staff, .neighbour_staff, .town_supervisor..."""
    global _demo_obj
    from boundaries.demo.testing import Demo

    if _demo_obj is None:
        _demo_obj = Demo(_demo_info)
    return _demo_obj


_TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences"}


def _flushes_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool(_TRANSACTIONAL & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    yield
    # After the item's fixtures are torn down (the flush included): put the demo back.
    if _demo_info is None or nextitem is None or not _flushes_database(item):
        return
    from pytest_django.plugin import blocking_manager_key

    from boundaries.demo.testing import demo_present, load_tiny

    with item.config.stash[blocking_manager_key].unblock():
        if not demo_present(_demo_info):
            load_tiny()
            if _demo_obj is not None:
                _demo_obj.reset()
