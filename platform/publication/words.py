"""The sensitive-word check (网络信息内容安全): the shipped list (rules/sensitive_words.txt) plus the
words administrators add in the admin. A draft is flagged, never blocked: the reviewer decides."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from .models import SensitiveWord

WORDS_FILE = Path(__file__).resolve().parent / "rules" / "sensitive_words.txt"


@functools.cache
def shipped_words() -> tuple[str, ...]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#"))


def current_words() -> list[str]:
    extra = SensitiveWord.objects.filter(active=True).values_list("word", flat=True)
    return sorted({*shipped_words(), *(w.strip() for w in extra if w.strip())}, key=lambda w: (-len(w), w))


def find(*texts: str) -> list[str]:
    """The listed words that occur in the texts, each once, in list order (longest first)."""
    words = current_words()
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in words))
    found: dict[str, None] = {}
    for text in texts:
        for m in pattern.finditer(text or ""):
            found.setdefault(m.group(0), None)
    return list(found)
