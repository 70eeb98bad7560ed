"""SMS backends behind one interface: ``backend().send(ref, phone, text) -> SendResult``.

``log`` (development) appends each message to SMS_LOG_PATH with the phone MASKED: the log is not a
copy of the population record. ``http`` posts to a provider's HTTP JSON API with a signed request:

    POST SMS_API_URL
    Content-Type: application/json
    X-Api-Key: SMS_API_KEY
    X-Timestamp: <unix seconds>
    X-Nonce: <random hex>
    X-Signature: hex(HMAC-SHA256(SMS_API_SECRET, "<timestamp>\\n<nonce>\\n<hex SHA-256 of the body>"))

    {"to": "13800138000", "sign_name": "智慧社区", "content": "...", "client_ref": "sms-123"}

The provider answers 2xx with ``{"code": "OK", "message_id": "..."}``. ``client_ref`` is the outbox
row: a provider that keeps it refuses a second send of the same row. Timeouts, network errors, 429
and 5xx are worth retrying; any other refusal is final.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retry: bool = False  # worth trying again later
    provider_id: str = ""
    error: str = ""


class SmsBackend(Protocol):
    def send(self, ref: str, phone: str, text: str) -> SendResult: ...


def mask(phone: str) -> str:
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


class LogBackend:
    """Development: one line per message in a file, phone masked."""

    _lock = threading.Lock()

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def send(self, ref: str, phone: str, text: str) -> SendResult:
        line = json.dumps({"at": timezone.now().isoformat(timespec="milliseconds"), "ref": ref, "to": mask(phone),
                           "text": text}, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        return SendResult(ok=True, provider_id=f"log-{ref}")


class HttpBackend:
    """A provider's HTTP JSON API (see the module docstring for the exact request)."""

    def __init__(self, url: str, key: str, secret: str, sign_name: str, timeout: float) -> None:
        self.url, self.key, self.secret, self.sign_name, self.timeout = url, key, secret, sign_name, timeout

    def signature(self, timestamp: str, nonce: str, body: bytes) -> str:
        message = f"{timestamp}\n{nonce}\n{hashlib.sha256(body).hexdigest()}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def send(self, ref: str, phone: str, text: str) -> SendResult:
        body = json.dumps({"to": phone, "sign_name": self.sign_name, "content": text, "client_ref": ref},
                          ensure_ascii=False).encode()
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
            "X-Api-Key": self.key, "X-Timestamp": ts, "X-Nonce": nonce, "X-Signature": self.signature(ts, nonce, body),
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                answer = _json(response.read())
        except urllib.error.HTTPError as exc:
            answer = _json(exc.read())
            retry = exc.code == 429 or exc.code >= 500
            return SendResult(ok=False, retry=retry, error=f"HTTP {exc.code} {answer.get('code', '')}".strip()[:300])
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return SendResult(ok=False, retry=True, error=f"网络错误：{type(exc).__name__}")
        if answer.get("code") != "OK":
            return SendResult(ok=False, retry=False, error=f"服务商拒绝：{answer.get('code', '无应答')}"[:300])
        return SendResult(ok=True, provider_id=str(answer.get("message_id", ""))[:100])


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def backend() -> SmsBackend:
    if settings.SMS_BACKEND == "http":
        return HttpBackend(settings.SMS_API_URL, settings.SMS_API_KEY, settings.SMS_API_SECRET,
                           settings.SMS_SIGN_NAME, settings.SMS_TIMEOUT_SECONDS)
    return LogBackend(settings.SMS_LOG_PATH)
