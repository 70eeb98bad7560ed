"""A bulk notice to 5,000 residents as a job on a real Celery worker, killed mid-run and restarted:
one SMS row per resident with a mobile phone, none for those who opted out, nothing sent twice."""
from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from core import crypto
from core.jobs import start_job
from core.jobs.models import JobStatus
from core.notices.models import Message, SmsMessage, SmsStatus
from core.notices.services import opt_out
from django.db.models import Count

from population.codes import PersonStatus
from population.models import Person
from population.recipients import residents

N = 5000


def _people(pool: Any, n: int) -> dict[int, str]:
    """n residents: 80 % with a mobile phone, 10 % a landline, 10 % none. Returns id -> mobile."""
    rows = []
    for i in range(n):
        p = Person(name=f"居民{i}", id_hash=crypto.id_hash(f"bulk-{i}"), id_cipher=crypto.encrypt(f"bulk-{i}"),
                   region_code="500112", birth_date=dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28), sex="1" if i % 2 else "2",
                   pool=pool, status=PersonStatus.ACTIVE)
        if i % 10 == 1:
            p.set_phone(f"023{6000_0000 + i}")
        elif i % 10 != 0:
            p.set_phone(f"138{i:08d}")
        rows.append(p)
    Person.objects.bulk_create(rows, batch_size=1000)
    return {p.pk: f"138{i:08d}" for i, p in enumerate(rows) if i % 10 not in (0, 1)}


def _log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_recipients_of_a_unit_are_scoped(db: Any, demo: Any) -> None:
    mobiles = _people(demo.community, 20)
    got = residents(demo.village_staff, demo.community)
    assert len(got) == 20 and sum(r.can_text for r in got) == len(mobiles)
    assert {r.person_ref for r in got} == {f"population.person:{p.pk}" for p in Person.objects.filter(pool=demo.community)}
    with pytest.raises(Exception, match="管辖"):
        residents(demo.neighbour_staff, demo.community)
    assert residents(demo.village_staff, demo.community, min_age=200) == []


@pytest.mark.slow
def test_bulk_notice_survives_a_worker_restart_without_sending_twice(celery_worker: Any, demo: Any,
                                                                      settings: Any) -> None:
    mobiles = _people(demo.community, N)
    ids = sorted(mobiles)
    for pk in ids[:100]:  # opted out by phone
        opt_out(phone=mobiles[pk], reason="本人要求")
    for pk in ids[100:200]:  # opted out as a person
        opt_out(person_ref=f"population.person:{pk}", reason="本人要求")
    expected = len(mobiles) - 200
    log = Path(settings.SMS_LOG_PATH)
    job = start_job("population.notify_residents", user=demo.village_staff, unit=demo.community, params={
        "unit": demo.community.pk, "subject": "停水通知", "body": "明日9时至12时停水，请提前储水。", "sms": True})
    # Crash the worker (SIGKILL, no shutdown) once it has sent a few hundred messages.
    t0 = time.monotonic()
    while len(_log(log)) < 300:
        assert time.monotonic() - t0 < 180, celery_worker.log()[-2000:]
        time.sleep(0.05)
    celery_worker.kill()
    job.refresh_from_db()
    sent_before = len(_log(log))
    assert job.status == JobStatus.RUNNING and sent_before < expected  # really mid-job
    seen: list[float | None] = []

    def finished(j: Any) -> bool:
        seen.append(j.percent)
        return bool(j.finished)

    celery_worker.start()  # a new worker takes the job over once its lease has run out
    celery_worker.wait_for(job, timeout=300, until=finished)
    assert job.status == JobStatus.DONE, (job.error, celery_worker.log()[-3000:])
    assert job.attempts == 2 and any("继续" in m["text"] for m in job.messages)
    assert job.percent == 100.0 and any(p is not None and 0 < p < 100 for p in seen)

    notice_id = (job.result or {})["notice"]
    rows = SmsMessage.objects.filter(notice_id=notice_id)
    assert rows.count() == expected  # one per resident with a mobile phone, none for the opted out
    opted_refs = {f"population.person:{pk}" for pk in ids[:200]}
    assert not rows.filter(person_ref__in=opted_refs).exists()
    counts = dict(rows.values("status").annotate(n=Count("id")).values_list("status", "n"))
    assert counts.get(SmsStatus.UNKNOWN, 0) <= 1  # at most the one in flight when the worker died
    assert counts[SmsStatus.SENT] + counts.get(SmsStatus.UNKNOWN, 0) == expected
    lines = _log(log)
    refs = [x["ref"] for x in lines]
    assert len(refs) == len(set(refs)), "an SMS was sent twice"
    sent_refs = {f"sms-{pk}" for pk in rows.filter(status=SmsStatus.SENT).values_list("pk", flat=True)}
    assert sent_refs <= set(refs) and len(set(refs) - sent_refs) <= counts.get(SmsStatus.UNKNOWN, 0)
    text = log.read_text(encoding="utf-8")
    assert not any(mobiles[pk] in text for pk in ids[::97])  # masked phones only
    assert not Message.objects.filter(notice_id=notice_id).exists()  # no accounts bound in this test


def test_starting_a_residents_notice_through_the_api(db: Any, actors: Any, demo: Any,
                                                      django_capture_on_commit_callbacks: Any) -> None:
    c = actors.client("village_staff")
    good = {"unit": demo.community.pk, "subject": "停水通知", "body": "明日停水。", "sms": True}
    for params, status, code in (
        ({**good, "subject": {"a": 1}}, 400, "notice_invalid"),
        ({**good, "body": None}, 400, "notice_invalid"),
        ({**good, "subject": "  "}, 400, "notice_invalid"),
        ({**good, "link": "javascript:alert(1)"}, 400, "link_invalid"),
        ({**good, "tags": ["nope"]}, 400, "tag_invalid"),
        ({**good, "unit": demo.neighbour_community.pk}, 404, "unit_not_found"),
    ):
        r = c.post("/api/jobs/", {"kind": "population.notify_residents", "params": params}, format="json")
        assert (r.status_code, r.json().get("code")) == (status, code), (params, r.content)
    assert actors.client("town_supervisor").post(
        "/api/jobs/", {"kind": "population.notify_residents", "params": good}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=False):
        r = c.post("/api/jobs/", {"kind": "population.notify_residents", "params": good}, format="json")
    assert r.status_code == 201 and r.json()["title"] == "居民通知"
