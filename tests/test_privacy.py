"""What each role can learn about a person's ID number (docs/privacy.md), tried for every standard actor.

Every answer of the API that can mention a person — the people list and search, the person, their
history, the building's residents, the transfer lists, the city-record search and the masked
export — is collected as that actor, and every fact about the person found in it (the masked ID
number, the sex, an age, an age band, a birth year, 出生年月) is turned into constraints on the
18-character number. The candidates that satisfy all of them (a real birth date, the sequence
digit's parity for the sex, the GB 11643 check digit) are counted: at least 1,000 must remain for
every role that may not reveal the number. A field that mentions birth data in a form the test
does not understand fails the test, so a new leak cannot slip past it.

The search endpoints, which could confirm a guess, are tried too: refused for every role that may
not reveal, audited with the searched hash and rate-limited for those that may.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from audit.models import Action, AuditEvent
from core import roles
from core.testing import ALL
from openpyxl import load_workbook
from population import crypto, services
from population.ids import WEIGHTS, check_digit
from population.models import Person

from boundaries.models import House

pytestmark = pytest.mark.django_db

URL = "/api/population/"
BIRTH = dt.date(1980, 5, 17)
MIN_CANDIDATES = 1000
BIRTH_WORDS = re.compile(r"birth|出生|生日|age|年龄", re.I)


def make_number(birth: dt.date, seq: int) -> str:
    first = f"500112{birth:%Y%m%d}{seq:03d}"
    return first + check_digit(first)


@pytest.fixture
def people(demo) -> dict[str, Person]:
    """P lives in a house of the village; Q was sent to the neighbouring village (pending transfer);
    R is in the city record only."""
    staff = demo.village_staff
    house = House.objects.filter(building__path__startswith=demo.community.path).order_by("id").first()
    assert house is not None
    p = services.add_person(staff, {"name": "隐私甲", "id_number": make_number(BIRTH, 123), "phone": "13912345678"})
    p = services.place(staff, p, house, "owner")
    q = services.add_person(staff, {"name": "隐私乙", "id_number": make_number(dt.date(1991, 2, 3), 246)})
    services.transfer_out(staff, q, "搬家", to_pool=demo.neighbour_community)
    r = Person(name="隐私丙", hukou_code="500112002001", hukou_address="重庆市渝北区某路")
    r.set_id_number(make_number(dt.date(1975, 11, 30), 357))
    r.save()
    return {"p": p, "q": q, "r": r}


def answers(client: Any, demo: Any, people: dict[str, Person]) -> Iterator[tuple[str, Any]]:
    p = people["p"]
    assert p.house is not None
    for name in ("隐私甲", "隐私乙", "隐私丙"):
        yield "list", client.get(URL + "people/", {"q": name})
        yield "search", client.post(URL + "people/search/", {"q": name}, format="json")
        yield "city", client.post(URL + "city-record/search/", {"name": name}, format="json")
    for person in people.values():
        yield "detail", client.get(URL + f"people/{person.pk}/")
        yield "history", client.get(URL + f"people/{person.pk}/history/")
    yield "houses", client.get(URL + f"buildings/{p.house.building_id}/houses/")
    for direction in ("incoming", "outgoing"):
        yield "transfers", client.get(URL + "transfers/", {"direction": direction})
    for unit in (demo.community, demo.neighbour_community):
        yield "export", client.post(URL + "export/", {"unit": unit.pk}, format="json")


def walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def records(kind: str, response: Any) -> Iterator[dict[str, Any]]:
    """The person-shaped records of one answer: JSON objects, or the export's rows as dicts."""
    if response.status_code >= 400:
        return
    if kind == "export":
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        yield from (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
        return
    yield from walk(response.json())


def facts(record: dict[str, Any], person: Person) -> dict[str, Any] | None:
    """What a record says about ``person`` (None: it is about someone else)."""
    if record.get("name", record.get("姓名")) != person.name:
        return None
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value in (None, ""):
            continue
        if key in ("id_number", "身份证号"):
            out["mask"] = value
        elif key in ("sex", "sex_label", "性别"):
            out["male"] = value in ("1", "男")
        elif key == "age":
            out["age"] = int(value)
        elif key in ("age_band", "年龄段"):
            out["band"] = value
        elif key == "birth_year":
            out["year"] = int(value)
        elif key == "出生年月":
            out["year"], out["month"] = (int(v) for v in str(value).split("-"))
        elif BIRTH_WORDS.search(str(key)):
            pytest.fail(f"an answer shows birth data as {key!r}={value!r}: teach this test what it reveals")
    return out


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years, day=28) if (day.month, day.day) == (2, 29) else \
        day.replace(year=day.year - years)


def band_range(label: str) -> tuple[int, int]:
    if label.endswith("以上"):
        return int(re.match(r"\d+", label).group()), 130  # type: ignore[union-attr]
    low, high = re.findall(r"\d+", label)
    return int(low), int(high)


def candidates(known: list[dict[str, Any]], today: dt.date, stop_at: int) -> int:
    """18-character numbers consistent with every fact (counting stops at ``stop_at``)."""
    masks = [k["mask"] for k in known if "mask" in k]
    pattern = ["?"] * 18
    for mask in masks:
        for i, ch in enumerate(mask):
            if ch != "*":
                pattern[i] = ch
    first, last = years_before(today, 130), today
    for k in known:
        ages = [(k["age"], k["age"])] if "age" in k else []
        ages += [band_range(k["band"])] if "band" in k else []
        for low, high in ages:  # aged low..high today: born after today-(high+1) years, by today-low years
            first = max(first, years_before(today, high + 1) + dt.timedelta(days=1))
            last = min(last, years_before(today, low))
        if "year" in k:
            first, last = max(first, dt.date(k["year"], 1, 1)), min(last, dt.date(k["year"], 12, 31))
        if "month" in k:
            first = max(first, dt.date(k["year"], k["month"], 1))
            last = min(last, dt.date(k["year"] + (k["month"] == 12), k["month"] % 12 + 1, 1) - dt.timedelta(days=1))
    males = {k["male"] for k in known if "male" in k}
    region_known = all(c != "?" for c in pattern[:6])
    count, day = 0, first
    while day <= last:
        digits = f"{day:%Y%m%d}"
        if all(pattern[6 + i] in ("?", d) for i, d in enumerate(digits)):
            for seq in range(1000):
                s = f"{seq:03d}"
                if any(pattern[14 + i] not in ("?", d) for i, d in enumerate(s)):
                    continue
                if males and (seq % 2 == 1) not in males:
                    continue
                body = "".join(pattern[:6]) if region_known else "500112"
                check = check_digit(body + digits + s)
                if pattern[17] not in ("?", check):
                    continue
                count += 1
                if count >= stop_at:
                    return count if region_known else stop_at * 10**6
        day += dt.timedelta(days=1)
    return count if region_known else count * 10**6


def test_the_counter_finds_what_the_old_masking_leaked() -> None:
    """The arithmetic of the old form (last four kept, birth year shown) gives a handful: the counter
    is able to see a leak."""
    number = make_number(BIRTH, 123)
    old = [{"mask": number[:6] + "*" * 8 + number[-4:], "year": 1980, "male": True}]
    assert 1 <= candidates(old, dt.date(2026, 11, 30), MIN_CANDIDATES) < 60
    assert candidates([{"mask": number, "male": True}], dt.date(2026, 11, 30), MIN_CANDIDATES) == 1
    assert len(WEIGHTS) == 17


@pytest.mark.parametrize("actor", ALL)
def test_no_role_that_may_not_reveal_can_narrow_a_masked_id(actors, demo, people, actor) -> None:
    client = actors.client(actor)
    user = actors.user(actor)
    today = dt.date.today()
    known: dict[str, list[dict[str, Any]]] = {k: [] for k in people}
    seen = 0
    for kind, response in answers(client, demo, people):
        assert response.status_code < 500, (kind, response.status_code)
        for record in records(kind, response):
            for key, person in people.items():
                if (f := facts(record, person)) is not None:
                    known[key].append(f)
                    seen += 1
    for key, person in people.items():
        if any("mask" in f and f["mask"] == person.id_number for f in known[key]):
            assert roles.can_reveal(user), f"{actor} read {key}'s full ID number"
        n = candidates(known[key], today, MIN_CANDIDATES)
        if not roles.can_reveal(user):
            assert n >= MIN_CANDIDATES, f"{actor} narrows {key}'s ID number to {n} candidates from {known[key]}"
    if actor in ("village_staff", "village_admin", "town_supervisor", "district_admin"):
        assert seen, f"{actor} saw nothing: the answers did not reach the population record"


@pytest.mark.parametrize("actor", ALL)
def test_searching_by_a_full_id_number_is_a_reveal(actors, people, actor, settings) -> None:
    client = actors.client(actor)
    user = actors.user(actor)
    number = people["p"].id_number
    before = AuditEvent.objects.filter(action=Action.PII_SEARCH).count()
    for url, body in ((URL + "people/search/", {"id_number": number}), (URL + "people/search/", {"phone": "13912345678"}),
                      (URL + "city-record/search/", {"id_number": number})):
        r = client.post(url, body, format="json")
        if roles.can_reveal(user):
            assert r.status_code == 200, (url, r.json())
        else:
            assert r.status_code in (401, 403), (actor, url, r.status_code)
            assert number not in r.content.decode()
    events = AuditEvent.objects.filter(action=Action.PII_SEARCH).order_by("id")[before:]
    if roles.can_reveal(user):
        assert len(events) >= 3
        digests = {e.after["hash"] for e in events}
        assert crypto.id_hash(number).hex() in digests and crypto.phone_hash("13912345678").hex() in digests
        assert all(number not in str(e.after) and e.actor == user for e in events)
    else:
        assert len(events) == 0


def test_id_searches_are_rate_limited(actors, people, settings) -> None:
    settings.PII_SEARCH_RATE_LIMIT = 3
    from django.core.cache import cache

    cache.clear()
    client = actors.client("village_staff")
    codes = [client.post(URL + "people/search/", {"id_number": make_number(BIRTH, i)}, format="json").status_code
             for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    r = client.post(URL + "city-record/search/", {"id_number": people["r"].id_number}, format="json")
    assert r.status_code == 429 and r.json()["code"] == "pii_search_rate_limited"
    # A name search is no guess at a number: not counted, not refused.
    assert client.post(URL + "people/search/", {"q": "隐私"}, format="json").status_code == 200
    cache.clear()


def test_transfer_in_does_not_name_another_jurisdictions_pool(actors, demo, people) -> None:
    p = people["p"]  # in the village's pool
    other = actors.client("other_town_admin")
    hits = other.post(URL + "city-record/search/", {"name": "隐私甲"}, format="json").json()["results"]
    assert hits and all(h["current_pool"] != demo.community.name for h in hits)
    neighbour = actors.client("neighbour_staff")
    r = neighbour.post(URL + f"city-record/{p.pk}/transfer-in/", {"reason": "实际居住"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "in_other_pool"
    assert demo.community.name not in r.content.decode()
    # The town above both may see the village: it is told where the person is.
    town = actors.client("town_staff")
    hits = town.post(URL + "city-record/search/", {"name": "隐私甲"}, format="json").json()["results"]
    assert [h["current_pool"] for h in hits if h["id"] == p.pk] == [demo.community.name]
