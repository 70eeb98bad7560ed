"""The Django admin speaks Chinese: every model it shows, and every stored field of it, has a Chinese
name (the field labels, list columns and filters are built from them)."""
from __future__ import annotations

import re

from django.contrib import admin

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_admin_model_and_field_has_a_chinese_name() -> None:
    english = []
    for model in admin.site._registry:
        if not HAN.search(str(model._meta.verbose_name)):
            english.append(model._meta.label)
        for f in model._meta.concrete_fields:
            if f.name != "id" and not HAN.search(str(f.verbose_name)):
                english.append(f"{model._meta.label}.{f.name}")
    assert english == []
