"""Every operation of the OpenAPI schema fuzzed by schemathesis, as a signed-in village clerk and as an
anonymous visitor: no input may yield a server error (5xx).

Bounded so the whole test suite stays well inside CI's time: ``FUZZ_MAX_EXAMPLES`` generated cases
per operation and actor (default 6), and a time budget ``FUZZ_BUDGET_SECONDS`` for the whole module
(default 120 s) after which each remaining operation still gets its first case, so every operation
is fuzzed on every run. Cases are derandomised (the same on every run, so a red CI is reproducible);
``FUZZ_SEED=random`` explores new ones. Everything a case writes is rolled back with the test's
transaction. A failure prints the request as a curl command.
"""
from __future__ import annotations

import os
import time
from typing import Any

import pytest
import schemathesis
from core.testing import token_client
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "6"))
BUDGET = float(os.environ.get("FUZZ_BUDGET_SECONDS", "120"))
_started: list[float] = []


# Loaded when the module is collected (pytest-django has set Django up by then; drawing the schema
# needs no database): one test item per operation, named after it.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def _over_budget() -> bool:
    if not _started:
        _started.append(time.monotonic())
    return time.monotonic() - _started[0] > BUDGET


@pytest.fixture(autouse=True)
def _one_connection() -> Any:
    """Keep the test's database connection (and its transaction) across the WSGI calls, as Django's
    test client does: the handler's request signals would close it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(demo: Any) -> dict[str, str]:
    return {"Authorization": token_client(demo.village_staff)._credentials["HTTP_AUTHORIZATION"]}


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=os.environ.get("FUZZ_SEED") != "random",
    suppress_health_check=list(HealthCheck), phases=[Phase.generate], database=None,
)


def run(case: Any, headers: dict[str, str]) -> None:
    seen = getattr(case.operation, "_fuzz_seen", {})
    key = headers.get("Authorization", "")
    seen[key] = seen.get(key, 0) + 1
    case.operation._fuzz_seen = seen
    if seen[key] > 1 and _over_budget():
        return  # the budget is spent: this operation had its first case as this actor
    response = case.call(headers={**headers, "Host": "localhost"})
    assert response.status_code < 500, (
        f"{response.status_code} for {case.method} {case.formatted_path}\n{case.as_curl_command()}\n"
        f"{response.text[:500]}"
    )


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_as_a_village_clerk(case: Any, staff_token: dict[str, str]) -> None:
    run(case, staff_token)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_anonymous(case: Any) -> None:
    run(case, {})
