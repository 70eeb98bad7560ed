"""Encryption at rest and keyed lookup hashes for personal data (ID numbers, phones; docs/privacy.md).

In the kernel because more than one module keeps personal data: the population record, and the
SMS outbox (core.notices), which stores each phone it will send to the same way.

Two sub-keys are derived from settings.PII_ENCRYPTION_KEY with HKDF-SHA256: one for AES-256-GCM
(random 96-bit nonce per value, so equal values encrypt differently), one for HMAC-SHA256 lookup
hashes (deterministic, so an exact search and the uniqueness constraint work without decrypting).
A database dump therefore holds neither ID numbers nor phones, and the hashes cannot be brute-forced
(the ID space is small) without the key. Stored layout: version byte + nonce + ciphertext.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = b"\x01"


@functools.lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    if not master:
        raise RuntimeError("PII_ENCRYPTION_KEY is empty")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"smartcommunity-pii", info=info).derive(
            master.encode()
        )

    return AESGCM(derive(b"aes-gcm-v1")), derive(b"hmac-lookup-v1")


def _current() -> tuple[AESGCM, bytes]:
    return _keys(settings.PII_ENCRYPTION_KEY)


def encrypt(value: str) -> bytes:
    aes, _ = _current()
    nonce = os.urandom(12)
    return VERSION + nonce + aes.encrypt(nonce, value.encode(), VERSION)


def decrypt(blob: bytes | memoryview | None) -> str:
    if not blob:
        return ""
    blob = bytes(blob)
    aes, _ = _current()
    return aes.decrypt(blob[1:13], blob[13:], blob[:1]).decode()


def decryptor() -> Callable[[bytes | memoryview | None], str]:
    """``decrypt`` with the key looked up once, for loops over many rows (the building view)."""
    aes, _ = _current()

    def dec(blob: bytes | memoryview | None) -> str:
        if not blob:
            return ""
        blob = bytes(blob)
        return aes.decrypt(blob[1:13], blob[13:], blob[:1]).decode()

    return dec


def lookup_hash(kind: str, value: str) -> bytes:
    """Keyed hash for exact lookup; ``kind`` separates ID numbers from phones."""
    _, mac = _current()
    return hmac.new(mac, f"{kind}:{value}".encode(), hashlib.sha256).digest()


def id_hash(number: str) -> bytes:
    return lookup_hash("id", number)


def phone_hash(phone: str) -> bytes:
    return lookup_hash("phone", phone)
