"""Two communities take in the same person from the city record at the same moment: one succeeds,
the other is told 409 (never a 500), and the record stays consistent."""
from __future__ import annotations

import threading

import pytest
from core.testing import token_client
from django.db import connections

from population.codes import EventKind
from population.models import Person

from .conftest import make_id


def _city_person(name: str) -> Person:
    p = Person(name=name, hukou_code="500112002001", hukou_address="重庆市渝北区某路")
    p.set_id_number(make_id(male=False))
    p.save()
    return p


@pytest.mark.django_db(transaction=True)
def test_simultaneous_transfer_ins_answer_409_to_the_loser(demo) -> None:
    clients = {"a": token_client(demo.village_staff), "b": token_client(demo.neighbour_staff)}
    for round_no in range(4):
        person = _city_person(f"竞争{round_no}")
        barrier = threading.Barrier(2)
        results: dict[str, tuple[int, dict]] = {}

        def take(side: str, pk: int = person.pk, gate: threading.Barrier = barrier,
                 out: dict[str, tuple[int, dict]] = results) -> None:
            try:
                gate.wait(timeout=30)
                r = clients[side].post(f"/api/population/city-record/{pk}/transfer-in/", {"reason": "实际居住"},
                                       format="json")
                out[side] = (r.status_code, r.json())
            finally:
                connections.close_all()

        threads = [threading.Thread(target=take, args=(side,)) for side in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(code for code, _ in results.values())
        assert statuses == [200, 409], results
        loser = next(body for code, body in results.values() if code == 409)
        assert loser["code"] in ("in_other_pool", "already_in_pool") and loser["detail"]
        person.refresh_from_db()
        winner = next(side for side, (code, _) in results.items() if code == 200)
        assert person.pool == (demo.community if winner == "a" else demo.neighbour_community)
        assert person.events.filter(kind=EventKind.TRANSFER_IN).count() == 1
