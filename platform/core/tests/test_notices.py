"""Notices: in-app messages, the SMS outbox (opt-out, daily cap, dedupe, at-most-once), the log
backend, and the HTTP provider adapter against a local fake provider (real sockets)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.jobs import start_job
from core.jobs.models import Job, JobStatus
from core.notices import sms
from core.notices.models import Message, Notice, SmsMessage, SmsOptOut, SmsStatus
from core.notices.services import Recipient, notify, opt_out, send_outbox
from core.testing import Actors

pytestmark = pytest.mark.django_db

PHONES = ["13800138001", "13800138002", "13800138003", "13900139004"]


@pytest.fixture
def sms_log(settings: Any, tmp_path: Any) -> Any:
    settings.SMS_BACKEND = "log"
    settings.SMS_LOG_PATH = str(tmp_path / "sms.log")
    return tmp_path / "sms.log"


def _lines(path: Any) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_in_app_messages_reach_each_account_once(actors: Actors, demo: Any) -> None:
    notice = notify([demo.resident, demo.village_staff, demo.resident], "停水通知", "明日9时至12时停水。",
                    link="/app/#/notices/1", sender=demo.village_staff, unit=demo.community)
    assert Message.objects.filter(notice=notice).count() == 2
    c = actors.client("resident")
    body = c.get("/api/messages/").json()
    assert body["unread"] == 1 and body["count"] == 1
    m = body["results"][0]
    assert (m["subject"], m["body"], m["link"], m["read"]) == ("停水通知", "明日9时至12时停水。", "/app/#/notices/1", False)
    assert m["sender"] == (demo.village_staff.display_name or demo.village_staff.username)
    # Someone else's message is not found; marking mine read is idempotent.
    assert actors.client("neighbour_resident").post(f"/api/messages/{m['id']}/read/").json()["code"] == "message_not_found"
    for _ in range(2):
        r = c.post(f"/api/messages/{m['id']}/read/")
        assert r.status_code == 200 and r.json()["read"] is True
    assert c.get("/api/messages/?unread=1").json() == {**c.get("/api/messages/?unread=1").json(), "count": 0, "unread": 0}
    notify([demo.resident], "第二条", "", unit=demo.community)
    notify([demo.resident], "第三条", "", unit=demo.community)
    assert c.get("/api/messages/").json()["unread"] == 2
    assert c.post("/api/messages/read-all/").json() == {"marked": 2}
    assert c.get("/api/messages/").json()["unread"] == 0


def test_bad_notices_are_refused(demo: Any) -> None:
    for kwargs in ({"subject": ""}, {"subject": "x" * 201}, {"link": "javascript:alert(1)"},
                   {"link": "//evil.example/"}, {"link": "https://evil.example/"}):
        args: dict[str, Any] = {"subject": "标题", "body": "内容", **kwargs}
        with pytest.raises(DomainError):
            notify([demo.resident], args.pop("subject"), args.pop("body"), **args)
    assert not Notice.objects.exists()


def test_outbox_one_row_per_phone_none_for_opted_out_or_landline(demo: Any, sms_log: Any,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    opt_out(phone=PHONES[1], reason="本人要求")
    opt_out(person_ref="population.person:77")
    people = [
        Recipient.for_phone(PHONES[0], person_ref="population.person:1", account_id=demo.resident.pk),
        Recipient.for_phone(PHONES[0], person_ref="population.person:2"),  # same phone: one SMS
        Recipient.for_phone(PHONES[1], person_ref="population.person:3"),  # phone opted out
        Recipient.for_phone(PHONES[2], person_ref="population.person:77"),  # person opted out
        Recipient.for_phone(PHONES[3]),
        Recipient(person_ref="population.person:9", phone_hash=b"x" * 32, phone_cipher=b"y", phone_masked="023****5678"),
        Recipient(person_ref="population.person:10"),  # no phone, no account: nothing
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = notify(people, "会议通知", "周六上午开会。", sms=True, unit=demo.community, sender=demo.village_staff)
    rows = list(SmsMessage.objects.filter(notice=notice).order_by("id"))
    assert [r.phone_masked for r in rows] == ["138****8001", "139****9004"]
    assert all(r.status == SmsStatus.PENDING and r.text == "会议通知：周六上午开会。" for r in rows)
    assert Message.objects.filter(notice=notice).count() == 1
    # Without a job, sending is a job started when the transaction commits.
    assert len(callbacks) == 1
    assert Job.objects.filter(kind="notices.send_sms", params={"notice": notice.pk}).exists()
    # The same key again (a retried caller) enqueues nothing new.
    again = notify(people, "会议通知", "周六上午开会。", sms=True, key=notice.key)
    assert again.pk == notice.pk and SmsMessage.objects.filter(notice=notice).count() == 2


def test_daily_cap_holds_back_further_messages(demo: Any, sms_log: Any, settings: Any) -> None:
    settings.SMS_DAILY_CAP = 2
    for i in range(3):
        notify([Recipient.for_phone(PHONES[0])], f"通知{i}", "", sms=True)
    statuses = list(SmsMessage.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [SmsStatus.PENDING, SmsStatus.PENDING, SmsStatus.CAPPED]
    SmsMessage.objects.update(created_at=timezone.now() - dt.timedelta(days=1))  # yesterday's do not count
    notify([Recipient.for_phone(PHONES[0])], "次日", "", sms=True)
    assert SmsMessage.objects.latest("id").status == SmsStatus.PENDING


def test_log_backend_sends_once_with_masked_phones(demo: Any, sms_log: Any) -> None:
    notice = notify([Recipient.for_phone(p) for p in PHONES], "通知", "内容", sms=True)
    counts = send_outbox(notice)
    assert counts == {SmsStatus.SENT: 4}
    lines = _lines(sms_log)
    assert sorted(x["to"] for x in lines) == ["138****8001", "138****8002", "138****8003", "139****9004"]
    text = sms_log.read_text(encoding="utf-8")
    assert not any(p in text for p in PHONES)  # never a full phone in the log
    assert send_outbox(notice) == {SmsStatus.SENT: 4} and len(_lines(sms_log)) == 4  # nothing sent twice


def test_a_row_left_sending_by_a_dead_run_is_never_sent_again(demo: Any, sms_log: Any) -> None:
    notice = notify([Recipient.for_phone(p) for p in PHONES[:2]], "通知", "", sms=True)
    dead = start_job("notices.send_sms", params={"notice": notice.pk})
    Job.objects.filter(pk=dead.pk).update(status=JobStatus.RUNNING, attempts=1,
                                          heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    first = SmsMessage.objects.filter(notice=notice).earliest("id")
    SmsMessage.objects.filter(pk=first.pk).update(status=SmsStatus.SENDING, claimed_job=dead, claimed_attempt=1)
    counts = send_outbox(notice)
    assert counts == {SmsStatus.SENT: 1, SmsStatus.UNKNOWN: 1}
    assert [x["ref"] for x in _lines(sms_log)] != [f"sms-{first.pk}"] and len(_lines(sms_log)) == 1


def test_opting_out_cancels_what_waits(demo: Any, sms_log: Any) -> None:
    notice = notify([Recipient.for_phone(PHONES[0])], "通知", "", sms=True)
    opt_out(phone="+86 138-0013-8001", reason="短信回复TD")
    assert SmsMessage.objects.get(notice=notice).status == SmsStatus.FAILED
    assert SmsOptOut.objects.get().phone_masked == "138****8001"
    with pytest.raises(DomainError):
        opt_out(phone="12345")


def test_opt_out_api(actors: Actors) -> None:
    r = actors.client("village_staff").post("/api/sms/opt-outs/", {"phone": PHONES[0], "reason": "电话要求"}, format="json")
    assert r.status_code == 201 and r.json()["phone"] == "138****8001"
    assert actors.client("resident").post("/api/sms/opt-outs/", {"phone": PHONES[1]}, format="json").status_code == 403
    r = actors.client("village_staff").post("/api/sms/opt-outs/", {"phone": "abc"}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "phone_format")
    assert SmsOptOut.objects.count() == 1


def test_notice_delivery_counts_are_scoped(actors: Actors, demo: Any, sms_log: Any) -> None:
    notice = notify([demo.resident, Recipient.for_phone(PHONES[0])], "通知", "", sms=True, unit=demo.community)
    send_outbox(notice)
    body = actors.client("village_staff").get(f"/api/notices/{notice.pk}/").json()
    assert body["messages"] == {"total": 1, "read": 0} and body["sms"] == {"sent": 1}
    assert actors.client("neighbour_staff").get(f"/api/notices/{notice.pk}/").status_code == 404
    assert actors.client("resident").get(f"/api/notices/{notice.pk}/").status_code == 403


# -- the HTTP provider adapter against a local fake provider -------------------------------------------
class FakeProvider:
    """A provider on a real socket: records each request, answers from a script."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[Any] = []  # (status, JSON body) or "hang"
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                answer = provider.script.pop(0) if provider.script else (200, {"code": "OK", "message_id": "m1"})
                if answer == "hang":
                    threading.Event().wait(3)
                    return
                status, payload = answer
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/sms/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider(settings: Any) -> Iterator[FakeProvider]:
    fake = FakeProvider()
    settings.SMS_BACKEND, settings.SMS_API_URL = "http", fake.url
    settings.SMS_API_KEY, settings.SMS_API_SECRET, settings.SMS_SIGN_NAME = "key-1", "secret-1", "渝北民政"
    settings.SMS_TIMEOUT_SECONDS = 1.0
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_http_adapter_sends_a_signed_request(demo: Any, provider: FakeProvider) -> None:
    provider.script = [(200, {"code": "OK", "message_id": "prov-123"})]
    notice = notify([Recipient.for_phone(PHONES[0])], "通知", "内容", sms=True)
    assert send_outbox(notice) == {SmsStatus.SENT: 1}
    row = SmsMessage.objects.get(notice=notice)
    assert row.provider_id == "prov-123" and row.sent_at is not None
    req = provider.requests[0]
    assert req["path"] == "/v1/sms/send"
    body = json.loads(req["body"])
    assert body == {"to": PHONES[0], "sign_name": "渝北民政", "content": "通知：内容", "client_ref": f"sms-{row.pk}"}
    h = req["headers"]
    expected = hmac.new(b"secret-1", f"{h['X-Timestamp']}\n{h['X-Nonce']}\n{hashlib.sha256(req['body']).hexdigest()}".encode(),
                        hashlib.sha256).hexdigest()
    assert h["X-Api-Key"] == "key-1" and h["X-Signature"] == expected
    assert abs(int(h["X-Timestamp"]) - timezone.now().timestamp()) < 60 and len(h["X-Nonce"]) == 32


def test_http_adapter_retries_temporary_failures_with_backoff(demo: Any, provider: FakeProvider, settings: Any) -> None:
    settings.SMS_MAX_ATTEMPTS = 3
    provider.script = [(503, {"code": "BUSY"}), "hang", (200, {"code": "OK", "message_id": "m9"})]
    notice = notify([Recipient.for_phone(PHONES[0])], "通知", "", sms=True)
    send_outbox(notice)  # 503: retry later
    row = SmsMessage.objects.get(notice=notice)
    assert (row.status, row.attempts, row.last_error) == (SmsStatus.PENDING, 1, "HTTP 503 BUSY")
    assert 25 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 31
    # A sending job is waiting already (the one notify started): no second one is queued.
    assert Job.objects.filter(kind="notices.send_sms", status=JobStatus.QUEUED).count() == 1
    Job.objects.all().delete()
    send_outbox(notice)  # without one, a follow-up job is queued for when the retry is due
    follow = Job.objects.get(kind="notices.send_sms", title="短信重试")
    assert follow.run_after is not None and follow.run_after >= row.next_attempt_at - dt.timedelta(seconds=1)
    assert len(provider.requests) == 1  # not due yet: nothing sent
    SmsMessage.objects.update(next_attempt_at=timezone.now())
    send_outbox(notice)  # a timeout: retry again
    row.refresh_from_db()
    assert (row.status, row.attempts) == (SmsStatus.PENDING, 2) and "网络错误" in row.last_error
    SmsMessage.objects.update(next_attempt_at=timezone.now())
    assert send_outbox(notice) == {SmsStatus.SENT: 1}
    assert len(provider.requests) == 3


def test_http_adapter_final_refusals_and_the_attempt_limit(demo: Any, provider: FakeProvider, settings: Any) -> None:
    settings.SMS_MAX_ATTEMPTS = 2
    provider.script = [(400, {"code": "BAD_NUMBER"}), (200, {"code": "BLACKLISTED"}), (500, {}), (500, {})]
    notice = notify([Recipient.for_phone(p) for p in PHONES[:3]], "通知", "", sms=True)
    send_outbox(notice)
    rows = list(SmsMessage.objects.filter(notice=notice).order_by("id"))
    assert [(r.status, r.last_error) for r in rows[:2]] == [
        (SmsStatus.FAILED, "HTTP 400 BAD_NUMBER"), (SmsStatus.FAILED, "服务商拒绝：BLACKLISTED")]
    assert rows[2].status == SmsStatus.PENDING
    SmsMessage.objects.update(next_attempt_at=timezone.now())
    send_outbox(notice)
    rows[2].refresh_from_db()
    assert (rows[2].status, rows[2].attempts) == (SmsStatus.FAILED, 2)  # second 500 and the limit: final


def test_mask() -> None:
    assert sms.mask("13800138000") == "138****8000"


# -- through a real worker -------------------------------------------------------------------------------
@pytest.mark.slow
def test_sms_are_sent_by_a_job_on_a_real_worker(celery_worker: Any, demo: Any, settings: Any) -> None:
    notice = notify([Recipient.for_phone(p) for p in PHONES], "会议通知", "周六上午开会。", sms=True,
                    sender=demo.village_staff, unit=demo.community)
    job = Job.objects.get(kind="notices.send_sms", params={"notice": notice.pk})
    celery_worker.wait_for(job, timeout=60)
    assert job.status == JobStatus.DONE, job.error
    assert job.result == {"sent": 4} and job.percent == 100.0
    lines = _lines(__import__("pathlib").Path(settings.SMS_LOG_PATH))
    assert sorted(x["ref"] for x in lines) == sorted(f"sms-{r.pk}" for r in SmsMessage.objects.filter(notice=notice))
