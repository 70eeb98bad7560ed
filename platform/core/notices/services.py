"""``notify``: one notice to many people — in-app messages for accounts, SMS for phones.

Writing is idempotent: a notice has a key (the caller's, else its job's), a message is unique per
(notice, account) and an SMS per (notice, phone), so a job that runs again after a crash never
enqueues anything twice. Sending is at most once per row (see SmsMessage) with retries and backoff
for failures the provider calls temporary. Opted-out phones and people get no SMS row at all; a
phone past its daily cap gets a row held back as "capped" (so the sender sees it).
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from .. import crypto
from ..errors import DomainError
from ..jobs.models import Job, JobStatus
from . import sms
from .models import Message, Notice, SmsMessage, SmsOptOut, SmsStatus

CHUNK = 1000
SMS_MAX_CHARS = 300  # a long SMS is split by the network into 67-character parts; keep it to a few
BACKOFF_SECONDS = (30, 120, 600, 1800)
_MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class Recipient:
    """Someone to notify: an account (in-app message) and/or a phone (SMS), with a reference to
    the person record behind them ("population.person:123") for opt-outs and the sender's report.
    Phones travel encrypted, as the population record stores them (core.crypto)."""

    account_id: int | None = None
    person_ref: str = ""
    phone_hash: bytes | None = None
    phone_cipher: bytes | None = None
    phone_masked: str = ""

    @classmethod
    def for_account(cls, user: Any, *, person_ref: str = "") -> Recipient:
        return cls(account_id=user.pk, person_ref=person_ref)

    @classmethod
    def for_phone(cls, phone: str, *, person_ref: str = "", account_id: int | None = None) -> Recipient:
        number = normalise_mobile(phone)
        return cls(account_id=account_id, person_ref=person_ref, phone_hash=crypto.phone_hash(number),
                   phone_cipher=crypto.encrypt(number), phone_masked=sms.mask(number))

    @property
    def can_text(self) -> bool:
        """A mobile number (a landline cannot receive SMS); its masked form shows which it is."""
        return bool(self.phone_hash and self.phone_cipher and len(self.phone_masked) == 11
                    and self.phone_masked.startswith("1"))


def normalise_mobile(raw: str) -> str:
    number = re.sub(r"[\s()-]", "", raw or "")
    number = re.sub(r"^(\+?86)", "", number)
    if not _MOBILE.fullmatch(number):
        raise DomainError("phone_format", "手机号码格式不正确（11位手机号）。")
    return number


def clean_link(link: str) -> str:
    # Only a path on this site: a message must never carry javascript: or another host's address.
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > 500):
        raise DomainError("link_invalid", "消息链接必须是本平台内的地址（以 / 开头）。")
    return link


def sms_text(subject: str, body: str) -> str:
    text = f"{subject}：{body}" if body else subject
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def notify(recipients: Iterable[Recipient | Any], subject: str, body: str, *, link: str = "", sms: bool = False,
           job: Job | None = None, key: str = "", unit: Any = None, sender: Any = None) -> Notice:
    """Tell ``recipients`` (Recipients or accounts) ``subject``/``body``: an in-app message to every
    account, and with ``sms=True`` an SMS to every mobile phone not opted out. Inside a job, pass
    ``job``: progress is reported and the SMS are sent within it; otherwise a sending job is started
    when the caller's transaction commits. ``key`` names the notice for idempotence (a job's notice
    is keyed by the job)."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or len(subject) > 200:
        raise DomainError("subject_invalid", "通知标题不能为空，且不超过200字。")
    link = clean_link(link)
    key = key or (f"job:{job.pk}" if job is not None else f"once:{uuid.uuid4().hex}")
    items: Sequence[Recipient] = [r if isinstance(r, Recipient) else Recipient.for_account(r) for r in recipients]
    notice, _ = Notice.objects.get_or_create(key=key, defaults={
        "subject": subject, "body": body, "link": link, "sms": sms, "job": job,
        "sender": sender if getattr(sender, "is_authenticated", False) else (job.user if job else None),
        "unit": unit if unit is not None else (job.unit if job else None)})
    total = len(items)
    estimate = 2 * total if sms else total  # enqueue, then send: refined once the outbox is known
    text = sms_text(subject, body)
    for start in range(0, total, CHUNK):
        chunk = items[start:start + CHUNK]
        step = f"notice:{notice.pk}:{start}"
        if job is not None and job.is_done(step):
            continue  # written by an earlier run of this job
        with job.step(step) if job is not None else transaction.atomic():
            _write_messages(notice, chunk)
            if sms:
                _write_outbox(notice, chunk, text)
        if job is not None:
            job.progress(min(start + CHUNK, total), estimate, "" if start else f"正在登记 {total} 位接收人")
    if sms and job is not None:
        send_outbox(notice, job=job, base=total)
    elif sms:
        from ..jobs.services import start_job

        start_job("notices.send_sms", user=notice.sender, unit=notice.unit, params={"notice": notice.pk})
    return notice


def _write_messages(notice: Notice, chunk: Sequence[Recipient]) -> None:
    accounts = {r.account_id for r in chunk if r.account_id}
    Message.objects.bulk_create([Message(notice=notice, account_id=a) for a in accounts], ignore_conflicts=True)


def _write_outbox(notice: Notice, chunk: Sequence[Recipient], text: str) -> None:
    phones: dict[bytes, Recipient] = {}
    for r in chunk:
        if r.can_text:
            phones.setdefault(bytes(r.phone_hash or b""), r)
    if not phones:
        return
    refs = {r.person_ref for r in phones.values() if r.person_ref}
    opted = list(SmsOptOut.objects.filter(Q(phone_hash__in=list(phones)) | Q(person_ref__in=refs))
                 .values_list("phone_hash", "person_ref"))
    out_hashes = {bytes(h) for h, _ in opted if h is not None}
    out_refs = {ref for _, ref in opted if ref}
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    sent_today = (SmsMessage.objects.filter(phone_hash__in=list(phones), created_at__gte=since)
                  .exclude(notice=notice).exclude(status=SmsStatus.CAPPED)
                  .values("phone_hash").annotate(n=Count("id")).values_list("phone_hash", "n"))
    today = {bytes(h): n for h, n in sent_today}
    rows = []
    for h, r in phones.items():
        if h in out_hashes or (r.person_ref and r.person_ref in out_refs):
            continue
        capped = today.get(h, 0) >= settings.SMS_DAILY_CAP
        rows.append(SmsMessage(
            notice=notice, phone_hash=h, phone_cipher=r.phone_cipher, phone_masked=r.phone_masked,
            person_ref=r.person_ref, text=text, status=SmsStatus.CAPPED if capped else SmsStatus.PENDING,
            last_error="今日短信已达上限，未发送" if capped else ""))
    SmsMessage.objects.bulk_create(rows, ignore_conflicts=True)


# -- sending ----------------------------------------------------------------------------------------
def send_outbox(notice: Notice | None = None, *, job: Job | None = None, base: int = 0) -> dict[str, int]:
    """Send the due SMS (of ``notice``, or all), each at most once; schedule a follow-up job for
    retries that are not yet due. ``base``: items the job already counted (the enqueue step)."""
    rows = SmsMessage.objects.all() if notice is None else SmsMessage.objects.filter(notice=notice)
    _settle_orphans(rows)
    countable = rows.exclude(status=SmsStatus.CAPPED)
    total = countable.count()
    final = (SmsStatus.SENT, SmsStatus.FAILED, SmsStatus.UNKNOWN)
    done = countable.filter(status__in=final).count()
    if job is not None:
        job.progress(base + done, base + total, f"短信发件箱：{total} 条，已处理 {done} 条")
    backend = sms.backend()
    decrypt = crypto.decryptor()
    while True:
        row = _claim_next(notice, job)
        if row is None:
            break
        result = backend.send(f"sms-{row.pk}", decrypt(row.phone_cipher), row.text)
        _record(row, result)
        done += row.status != SmsStatus.PENDING
        if job is not None:
            job.progress(base + done, base + total)
    counts = dict(rows.values("status").annotate(n=Count("id")).values_list("status", "n"))
    waiting = rows.filter(status=SmsStatus.PENDING).aggregate(at=Min("next_attempt_at"))["at"]
    if waiting is not None:
        _follow_up(notice, waiting, job)
    if job is not None:
        job.say("短信发送：" + "，".join(f"{SmsStatus(s).label} {n}" for s, n in sorted(counts.items())))
    return counts


def _claim_next(notice: Notice | None, job: Job | None) -> SmsMessage | None:
    """Take the next due row and mark it "sending" in one statement (one round trip, committed
    before the provider is called: a crash after this point can never send the row again)."""
    table = SmsMessage._meta.db_table
    where = "status = 'pending' AND next_attempt_at <= %s" + (" AND notice_id = %s" if notice else "")
    sql = f"""
        UPDATE {table} SET status = 'sending', attempts = attempts + 1, claimed_job_id = %s, claimed_attempt = %s
        WHERE id = (SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, phone_cipher, text, attempts"""
    params: list[Any] = [job.pk if job else None, job.attempts if job else 0, timezone.now()]
    params += [notice.pk] if notice else []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        got = cur.fetchone()
    if got is None:
        return None
    pk, cipher, text, attempts = got
    return SmsMessage(pk=pk, phone_cipher=bytes(cipher), text=text, attempts=attempts, status=SmsStatus.SENDING)


def _record(row: SmsMessage, result: sms.SendResult) -> None:
    now = timezone.now()
    fields: dict[str, Any]
    if result.ok:
        fields = {"status": SmsStatus.SENT, "sent_at": now, "provider_id": result.provider_id, "last_error": ""}
    elif result.retry and row.attempts < settings.SMS_MAX_ATTEMPTS:
        delay = BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS)) - 1]
        fields = {"status": SmsStatus.PENDING, "next_attempt_at": now + dt.timedelta(seconds=delay),
                  "last_error": result.error}
    else:
        fields = {"status": SmsStatus.FAILED, "last_error": result.error}
    SmsMessage.objects.filter(pk=row.pk).update(**fields)
    row.status = fields["status"]


def _settle_orphans(rows: Any) -> int:
    """Rows left "sending" by a run that died: the provider may have them, so they are never sent
    again — marked "unknown" for the sender to see."""
    from ..jobs.runner import lease

    alive = Q(claimed_job__status=JobStatus.RUNNING, claimed_job__attempts=F("claimed_attempt"),
              claimed_job__heartbeat_at__gte=timezone.now() - lease())
    return rows.filter(status=SmsStatus.SENDING).exclude(alive).update(
        status=SmsStatus.UNKNOWN, last_error="发送过程中断，无法确认是否送达，未重发")


def _follow_up(notice: Notice | None, at: dt.datetime, job: Job | None) -> None:
    from ..jobs.services import start_job

    params = {"notice": notice.pk} if notice is not None else {}
    queued = Job.objects.filter(kind="notices.send_sms", status=JobStatus.QUEUED, params=params)
    if job is not None:
        queued = queued.exclude(pk=job.pk)
    if queued.exists():
        return
    delay = max(1.0, (at - timezone.now()).total_seconds())
    start_job("notices.send_sms", user=job.user if job else None, unit=notice.unit if notice else None,
              params=params, countdown=delay, title="短信重试")


# -- opt-out ----------------------------------------------------------------------------------------
def opt_out(*, phone: str = "", person_ref: str = "", reason: str = "", by: Any = None) -> SmsOptOut:
    """Stop SMS to a phone or a person (退订); what is still waiting for them is not sent."""
    if not phone and not person_ref:
        raise DomainError("optout_empty", "请填写手机号码或人员。")
    h = crypto.phone_hash(normalise_mobile(phone)) if phone else None
    with transaction.atomic():
        existing = SmsOptOut.objects.filter(Q(phone_hash=h) if h else Q(person_ref=person_ref)).first()
        row = existing or SmsOptOut.objects.create(
            phone_hash=h, phone_masked=sms.mask(normalise_mobile(phone)) if phone else "", person_ref=person_ref,
            reason=reason[:200], created_by=by if getattr(by, "is_authenticated", False) else None)
        waiting = SmsMessage.objects.filter(status=SmsStatus.PENDING)
        waiting = waiting.filter(phone_hash=h) if h else waiting.filter(person_ref=person_ref)
        waiting.update(status=SmsStatus.FAILED, last_error="已退订，未发送")
    return row


# -- my messages ------------------------------------------------------------------------------------
def messages_of(user: Any, *, unread: bool = False) -> Any:
    qs = Message.objects.filter(account=user).select_related("notice", "notice__sender")
    return qs.filter(read_at__isnull=True) if unread else qs


def unread_count(user: Any) -> int:
    return Message.objects.filter(account=user, read_at__isnull=True).count()


def mark_read(user: Any, message_id: int) -> Message:
    message = Message.objects.filter(account=user, pk=message_id).select_related("notice").first()
    if message is None:
        raise DomainError("message_not_found", "消息不存在。", status_code=404)
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def mark_all_read(user: Any) -> int:
    return Message.objects.filter(account=user, read_at__isnull=True).update(read_at=timezone.now())
