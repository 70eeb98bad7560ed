"""群发通知 from 民政易社区端: who it reaches, who may start it."""
from __future__ import annotations

from typing import Any

import pytest
from core import crypto
from core.jobs.models import Job
from core.jobs.runner import execute
from core.notices.models import Message, SmsMessage
from core.testing import Actors
from population.models import Person

from residents.jobs import recipients
from residents.models import ClaimStatus, CommunityClaim

pytestmark = pytest.mark.django_db


def _person(pool: Any, name: str, phone: str | None) -> Person:
    p = Person(name=name, pool=pool, id_hash=crypto.id_hash(name), id_cipher=crypto.encrypt(name),
               region_code="500112", birth_date="1980-01-01", sex="1")
    p.set_phone(phone)
    p.save()
    return p


def test_recipients_accounts_and_phones(actors: Actors, demo: Any) -> None:
    with_phone = _person(demo.community, "甲", "13800000001")
    _person(demo.community, "乙", None)
    _person(demo.neighbour_community, "丙", "13800000003")
    # The neighbouring village's resident account is bound (confirmed claim) to 甲's record here.
    CommunityClaim.objects.create(user=demo.neighbour_resident, community=demo.community, name="甲",
                                  id_hash=b"x", phone_hash=b"y", person=with_phone, status=ClaimStatus.CONFIRMED)
    inapp = recipients(demo.village_staff, demo.community, sms=False)
    assert {r.account_id for r in inapp} == {demo.resident.pk}
    both = recipients(demo.village_staff, demo.community, sms=True)
    by_ref = {r.person_ref: r for r in both if r.person_ref}
    assert len(by_ref) == 2  # 甲 and 乙, not the neighbour's 丙
    assert by_ref[f"population.person:{with_phone.pk}"].account_id == demo.neighbour_resident.pk
    assert sum(r.can_text for r in both) == 1
    assert demo.resident.pk in {r.account_id for r in both}


def test_start_rules(actors: Actors, demo: Any) -> None:
    body = {"kind": "residents.bulk_notice", "params": {"subject": "停水通知", "body": "明日停水"}}
    assert actors.client("resident").post("/api/jobs/", body, format="json").status_code == 403
    assert actors.client("village_reviewer").post("/api/jobs/", body, format="json").status_code == 403
    other = {"kind": "residents.bulk_notice", "params": {"subject": "x", "unit": demo.neighbour_community.pk}}
    assert actors.client("village_staff").post("/api/jobs/", other, format="json").status_code == 404
    bad = {"kind": "residents.bulk_notice", "params": {"subject": ""}}
    r = actors.client("village_staff").post("/api/jobs/", bad, format="json")
    assert r.status_code == 400 and r.json()["code"] == "notice_invalid"


def test_the_job_writes_one_message_per_account_and_one_sms_per_phone(actors: Actors, demo: Any,
                                                                      settings: Any, tmp_path: Any) -> None:
    settings.SMS_LOG_PATH = str(tmp_path / "sms.log")
    _person(demo.community, "甲", "13800000001")
    _person(demo.community, "乙", None)
    from core.jobs import start_job

    job = start_job("residents.bulk_notice", user=demo.village_staff, unit=demo.community,
                    params={"unit": demo.community.pk, "subject": "停水通知", "body": "明日停水", "sms": True})
    execute(job.pk, pulse=False)
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    assert job.result["recipients"] == 3  # 甲, 乙 and the demo resident's account
    assert list(Message.objects.filter(notice_id=job.result["notice"]).values_list("account_id", flat=True)) == [
        demo.resident.pk]
    assert SmsMessage.objects.filter(notice_id=job.result["notice"]).count() == 1
