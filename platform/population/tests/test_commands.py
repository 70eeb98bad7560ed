from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from population.models import Person

from .conftest import make_id
from .test_spreadsheets import xlsx

pytestmark = pytest.mark.django_db


def test_import_population_command_checks_then_writes(world, tmp_path) -> None:
    path = tmp_path / "pool.xlsx"
    path.write_bytes(xlsx([["命令甲", make_id()], ["命令乙", make_id(male=False)]], head=["姓名", "身份证号"]).getvalue())
    out = io.StringIO()
    call_command("import_population", str(path), pool=world.a.code, stdout=out, stderr=io.StringIO())
    assert "new 2" in out.getvalue() and "written: False" in out.getvalue()
    assert not Person.objects.filter(name__startswith="命令").exists()
    call_command("import_population", str(path), pool=world.a.code, write=True, stdout=out, stderr=io.StringIO())
    assert Person.objects.filter(name__startswith="命令", pool=world.a).count() == 2


def test_import_population_command_refuses_bad_rows(world, tmp_path) -> None:
    good = make_id()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([["坏", good[:17] + ("0" if good[17] != "0" else "1")]], head=["姓名", "身份证号"]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_population", str(path), pool=world.a.code, write=True, stdout=out, stderr=io.StringIO())
    assert "校验位" in out.getvalue() and not Person.objects.filter(name="坏").exists()


def test_load_demo_population_command(world) -> None:
    out = io.StringIO()
    call_command("load_demo_population", scale="tiny", stdout=out)
    assert "population demo" in out.getvalue() and Person.objects.count() > 3000
    with pytest.raises(CommandError):
        call_command("load_demo_population", scale="tiny", stdout=out)
    call_command("load_demo_population", scale="tiny", if_empty=True, stdout=out)
    assert "nothing generated" in out.getvalue()
