"""core.renderers.FastJSONRenderer writes exactly what DRF's JSONRenderer writes, only faster."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from core.renderers import FastJSONRenderer
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

PAYLOAD = {
    "building": {"id": 7, "code": "500112002001001", "name": "11栋"},
    "houses": [{
        "id": 1, "label": "1单元3301室", "area_m2": Decimal("89.50"), "floor": 33,
        "residents": [{"name": "张三", "id_number": "5001**********1234", "age": 41, "tags": ["elderly"],
                       "born": dt.date(1985, 3, 1), "seen": dt.datetime(2026, 11, 29, 15, 30, 1, 123456, tzinfo=dt.UTC),
                       "at": dt.time(9, 30, 0, 500000), "ratio": 0.1 + 0.2, "none": None, "ok": True}],
    }],
    "label": gettext_lazy("Active"), "token": uuid.UUID(int=42), "naive": dt.datetime(2026, 1, 2, 3, 4, 5),
    "local": timezone.localtime(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)),
    "js_unsafe": "line\u2028separator\u2029end", "big": 2**53 + 1,
}


def test_same_bytes_as_drf():
    assert FastJSONRenderer().render(PAYLOAD) == JSONRenderer().render(PAYLOAD)


def test_indent_requests_still_get_pretty_output():
    ctx = {"indent": 2}
    assert FastJSONRenderer().render(PAYLOAD, "application/json", ctx) == JSONRenderer().render(
        PAYLOAD, "application/json", ctx)
