"""Stored masked forms: written by every writer, read by every masked listing without decrypting."""
from __future__ import annotations

import importlib
import io

import pytest
from openpyxl import load_workbook

from population import crypto, ids, services
from population.models import Person

from .conftest import make_id
from .test_spreadsheets import upload, xlsx

pytestmark = pytest.mark.django_db
URL = "/api/population/"


@pytest.fixture
def decrypts(monkeypatch):
    """Count every decryption (crypto.decrypt and crypto.decryptor are the only ways to decrypt)."""
    calls: list[str] = []
    real_decrypt, real_decryptor = crypto.decrypt, crypto.decryptor

    def decrypt(blob):
        calls.append("decrypt")
        return real_decrypt(blob)

    def decryptor():
        calls.append("decryptor")
        return real_decryptor()

    monkeypatch.setattr(crypto, "decrypt", decrypt)
    monkeypatch.setattr(crypto, "decryptor", decryptor)
    return calls


def stored_matches_masking(p: Person) -> bool:
    """The stored forms equal what the one masking function gives for the decrypted values."""
    return p.id_masked == ids.mask_id(p.id_number) and p.phone_masked == ids.mask_phone(p.phone)


def test_service_writes_masked_forms_on_create_and_phone_change(world) -> None:
    number = make_id()
    p = services.add_person(world.staff_a, {"name": "赵一", "id_number": number, "phone": "13812345678"})
    p.refresh_from_db()
    assert p.id_masked == number[:6] + "*" * 10 + number[-2:] and p.phone_masked == "138****5678"
    services.update_person(world.staff_a, p, {"phone": "023-67891234"})
    p.refresh_from_db()
    assert p.phone_masked == "023****1234" and stored_matches_masking(p)
    services.update_person(world.staff_a, p, {"phone": ""})
    p.refresh_from_db()
    assert p.phone_masked == "" and p.phone_cipher is None


def test_copy_import_writes_masked_forms(world, api) -> None:
    h = world.houses_a[0]
    rows = [["孙一", make_id(), "汉族", "13911112222", "H9", "户主", "", world.ba.code, h.entrance, h.room, "产权人"],
            ["孙二", make_id(male=False), "汉族", "", "H9", "妻", "", world.ba.code, h.entrance, h.room, ""]]
    r = upload(api(world.staff_a), xlsx(rows), dry_run="false")
    assert r.status_code == 200 and r.json()["written"], r.json()
    people = list(Person.objects.filter(name__startswith="孙").order_by("name"))
    assert [p.phone_masked for p in people] == ["139****2222", ""]
    assert all(stored_matches_masking(p) and "*" in p.id_masked for p in people)


def test_masked_listings_never_decrypt_but_reveal_does(world, api, decrypts) -> None:
    number = make_id()
    p = services.add_person(world.staff_a, {"name": "周一", "id_number": number, "phone": "13712345678"})
    services.place(world.staff_a, p, world.houses_a[0], "owner")
    c = api(world.staff_a)
    decrypts.clear()
    body = c.get(URL + f"buildings/{world.ba.pk}/houses/").json()
    residents = [r for h in body["houses"] for r in h["residents"]]
    assert [(r["id_number"], r["phone"]) for r in residents] == [(p.id_masked, "137****5678")]
    listed = c.get(URL + "people/", {"q": "周一"}).json()["results"]
    assert [(r["id_number"], r["phone"]) for r in listed] == [(p.id_masked, "137****5678")]
    found = c.post(URL + "people/search/", {"id_number": number}, format="json").json()["results"]
    assert [r["id"] for r in found] == [p.pk]
    assert c.post(URL + "people/search/", {"phone": "13712345678"}, format="json").json()["results"][0]["phone"] \
        == "137****5678"
    assert c.get(URL + f"people/{p.pk}/").json()["id_number"] == p.id_masked
    r = c.post(URL + "export/", {"unit": world.a.pk}, format="json")
    values = [x.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for x in row]
    assert p.id_masked in values and "137****5678" in values and number not in values
    assert decrypts == []
    # Only reveal (and the full export) decrypt.
    r = c.post(URL + f"people/{p.pk}/reveal/", {"reason": "核对身份"}, format="json")
    assert r.status_code == 200 and r.json()["id_number"] == number and decrypts


def test_backfill_migration_fills_existing_rows(world) -> None:
    people = [services.add_person(world.staff_a, {"name": f"吴{i}", "id_number": make_id(), "phone": phone})
              for i, phone in enumerate(["13600001111", None, "02367891234"])]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(id_masked="", phone_masked="")
    mod = importlib.import_module("population.migrations.0005_backfill_masked_forms")
    mod.backfill(None, None)
    fresh = list(Person.objects.filter(pk__in=[p.pk for p in people]).order_by("id"))
    assert [p.phone_masked for p in fresh] == ["136****1111", "", "023****1234"]
    assert all(stored_matches_masking(p) and p.id_masked for p in fresh)
