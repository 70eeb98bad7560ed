"""民政易's bulk notice (群发通知): an in-app message to every resident account of a unit, and with
``sms`` a text to every resident of the unit's population pools with a mobile phone — one background
job with progress (core.jobs), written idempotently by core.notices (a restarted job sends nothing
twice)."""
from __future__ import annotations

from typing import Any

from core import roles
from core.errors import DomainError
from core.jobs import job_task
from core.jobs.models import Job
from core.notices.services import Recipient, notify
from django.conf import settings
from population.recipients import residents

from boundaries.models import AdminUnit

from .models import ClaimStatus, CommunityClaim

LINK = ""  # the message is the notice itself: nothing further to open


def _may_send(user: Any, params: dict[str, Any]) -> tuple[AdminUnit, dict[str, Any]]:
    if not roles.can_write(user):
        raise DomainError("forbidden_role", "您的角色不能发送通知。", status_code=403)
    raw = params.get("unit") or getattr(user, "unit_id", None)
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise DomainError("unit_required", "请选择单位。") from None
    unit = AdminUnit.objects.visible_to(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if unit is None:
        raise DomainError("unit_not_found", "单位不存在或不在您的管辖范围内。", status_code=404)
    subject, body = params.get("subject", ""), params.get("body", "")
    if not isinstance(subject, str) or not isinstance(body, str) or not subject.strip() or len(subject) > 200 \
            or len(body) > 2000:
        raise DomainError("notice_invalid", "请填写标题（200字以内）和内容（2000字以内）。")
    sms = params.get("sms") is True
    if sms and not settings.POPULATION_ENABLED:
        raise DomainError("population_disabled", "本部署（互联网区）不提供人口数据，不能发送短信。", status_code=404)
    return unit, {"unit": unit.pk, "subject": subject.strip(), "body": body.strip(), "sms": sms}


def recipients(user: Any, unit: AdminUnit, *, sms: bool) -> list[Recipient]:
    """Resident accounts of the unit (in-app), plus with ``sms`` the unit's residents with a phone; an
    account bound to a person record (我的社区) is one recipient with both."""
    accounts = {a["person_id"]: a["user_id"] for a in CommunityClaim.objects.filter(
        status=ClaimStatus.CONFIRMED, person__isnull=False, community__path__startswith=unit.path,
    ).values("person_id", "user_id")}
    out: list[Recipient] = []
    if sms:
        out = [r for r in residents(user, unit, accounts=accounts)]
    reached = {r.account_id for r in out if r.account_id}
    from accounts.models import User

    for account_id in User.objects.filter(unit__path__startswith=unit.path, is_active=True).filter(
            role=roles.Role.RESIDENT).values_list("id", flat=True):
        if account_id not in reached:
            out.append(Recipient(account_id=account_id))
    return out


@job_task("residents.bulk_notice", title="群发通知", start=_may_send)
def bulk_notice(job: Job, unit: int, subject: str, body: str, sms: bool = False, **_: Any) -> None:
    target = AdminUnit.objects.get(pk=unit)
    people = recipients(job.user, target, sms=sms) if job.user else []
    job.progress(0, len(people), f"{target.name}：{len(people)} 位居民")
    notice = notify(people, subject, body, link=LINK, sms=sms, job=job, unit=target, sender=job.user)
    job.result = {"notice": notice.pk, "recipients": len(people)}
    Job.objects.filter(pk=job.pk).update(result=job.result)
    job.say(f"完成：{len(people)} 位居民")
