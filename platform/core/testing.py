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

``celery_worker`` (a pytest fixture) starts a real Celery worker process on the test database, for
tests of background jobs (core.jobs); such tests are transactional.
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


# -- a real Celery worker for job tests ------------------------------------------------------------
class CeleryWorker:
    """A real ``celery -A config worker`` process on the test database and its own queue."""

    def __init__(self, env: dict[str, str], queue: str, log_path: Any) -> None:
        self.env, self.queue, self.log_path = env, queue, log_path
        self.proc: Any = None
        self._log: Any = None

    def start(self, timeout: float = 90) -> CeleryWorker:
        import subprocess
        import sys
        import time
        import uuid
        from pathlib import Path

        platform_dir = Path(__file__).resolve().parents[1]
        if self._log is not None:
            self._log.close()
        offset = len(self.log())
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (kept open while the process runs)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queue, "-c", "1", "-P", "prefork",
             "-l", "info", "-n", f"test-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=platform_dir, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start:\n{self.log()[-3000:]}")
            if " ready." in self.log()[offset:]:
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the Celery worker did not start in {timeout} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """Kill the worker and its pool at once (SIGKILL): a crash, not a shutdown."""
        import os
        import signal

        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        import os
        import signal
        import subprocess

        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self._log.close()

    def wait_for(self, job: Any, timeout: float = 120, until: Any = None) -> Any:
        """Poll the job's record until it is finished (or ``until(job)`` holds); returns the record."""
        import time

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            job.refresh_from_db()
            if (until(job) if until is not None else job.finished):
                return job
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"the worker died:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"job {job.pk} ({job.status}, {job.done}/{job.total}) not finished in {timeout} s:\n"
                             f"{self.log()[-3000:]}")


def worker_env(queue: str, **extra: str) -> dict[str, str]:
    """The environment of a worker process on this test run's database, broker and files."""
    import os
    from urllib.parse import quote

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    url = (f"postgis://{quote(db['USER'] or '', safe='')}:{quote(str(db['PASSWORD'] or ''), safe='')}"
           f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    return {**os.environ, "DATABASE_URL": url, "TEST_DATABASE_NAME": db["NAME"], "JOBS_QUEUE": queue,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "JOBS_HEARTBEAT_SECONDS": "1",
            "SECRET_KEY": settings.SECRET_KEY, "PII_ENCRYPTION_KEY": settings.PII_ENCRYPTION_KEY,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT), "SMS_LOG_PATH": settings.SMS_LOG_PATH,
            "SMS_BACKEND": settings.SMS_BACKEND, "SMS_API_URL": settings.SMS_API_URL,
            "SMS_API_KEY": settings.SMS_API_KEY, "SMS_API_SECRET": settings.SMS_API_SECRET,
            "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL, "DEBUG": "false", "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1", **extra}


@pytest.fixture(scope="session", autouse=True)
def _jobs_queue_of_the_test_database() -> Iterator[None]:
    """Jobs started by tests go to a queue named after the test database, never to the queue of the
    development database a local worker may be serving."""
    from django.conf import settings
    from django.test import override_settings

    queue = f"jobs.test.{settings.DATABASES['default']['TEST']['NAME']}"
    _drop_queue(queue)
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
        yield
    _drop_queue(queue)


@pytest.fixture
def celery_worker(transactional_db: Any, tmp_path: Any) -> Iterator[CeleryWorker]:
    """A REAL Celery worker process on the test database (so: transactional tests), on a queue of its
    own; jobs started in the test go to it. ``kill()`` crashes it, ``start()`` starts it again,
    ``wait_for(job)`` waits for a job to finish."""
    import uuid

    from django.test import override_settings

    queue = f"jobs.test.{uuid.uuid4().hex[:12]}"
    # The worker's SMS and files go to this test's own folder, never var/sms.log or var/media.
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue, JOBS_HEARTBEAT_SECONDS=1.0, SMS_BACKEND="log",
                           SMS_LOG_PATH=str(tmp_path / "sms.log"), MEDIA_ROOT=str(tmp_path / "media")):
        worker = CeleryWorker(worker_env(queue), queue, tmp_path / "worker.log").start()
        try:
            yield worker
        finally:
            worker.stop()
            _drop_queue(queue)


def _drop_queue(queue: str) -> None:
    import redis
    from django.conf import settings

    try:
        # The queue and kombu's bookkeeping of it: test queues are thrown away.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    except redis.RedisError:
        pass


def seal_png(size: int = 400, colour: tuple[int, int, int] = (220, 20, 30), transparent: bool = True) -> bytes:
    """A seal-like PNG for tests: a red ring and star on a transparent (or white) background."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0) if transparent else (255, 255, 255, 255))
    d = ImageDraw.Draw(img)
    d.ellipse((8, 8, size - 8, size - 8), outline=(*colour, 255), width=max(6, size // 25))
    c, r = size / 2, size * 0.22
    import math

    star = [(c + (r if i % 2 == 0 else r * 0.4) * math.sin(i * math.pi / 5),
             c - (r if i % 2 == 0 else r * 0.4) * math.cos(i * math.pi / 5)) for i in range(10)]
    d.polygon(star, fill=(*colour, 255))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
