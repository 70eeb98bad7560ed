from __future__ import annotations

import pytest

from population import services

from .conftest import make_id

pytestmark = pytest.mark.django_db


def test_admin_list_is_masked_and_scoped(world, client, django_user_model) -> None:
    number = make_id()
    p = services.add_person(world.staff_a, {"name": "后台人", "id_number": number, "phone": "13700001234"})
    boss = django_user_model.objects.create_superuser("p_root", password="x-Pass-12345!")
    client.force_login(boss)
    r = client.get("/admin/population/person/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "后台人" in html and number not in html and p.id_masked in html
    r = client.get(f"/admin/population/person/{p.pk}/change/")
    assert r.status_code == 200 and number not in r.content.decode() and "13700001234" not in r.content.decode()
