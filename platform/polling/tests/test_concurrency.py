"""Eight clerks scanning the same 1,000 cards at the same moment issue exactly 1,000 ballots: the
card's row lock and the unique issuance per vote and voter, on the real database with real threads."""
from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from core.errors import DomainError
from django.db import connection

from polling import cards, scanning, services
from polling.models import Issuance, VoterCard

from .factory import polling_day

SCANNERS = 8
CARDS = 1000


@pytest.mark.django_db(transaction=True)
def test_eight_scanners_over_the_same_thousand_cards_issue_exactly_a_thousand(demo: Any) -> None:
    demo.reset()
    staff = demo.village_staff
    day = polling_day(demo.community, voters=CARDS)
    vote = services.open_vote(staff, day.election)
    cards.ensure_cards(staff, day.election)
    codes = [cards.payload(t) for t in VoterCard.objects.filter(election=day.election).values_list("token", flat=True)]
    stations = [day.centre, day.station, day.mobile]
    issued: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(SCANNERS)
    lock = threading.Lock()

    def scanner(i: int) -> None:
        mine = codes[:]
        random.Random(i).shuffle(mine)
        try:
            start.wait()
            for code in mine:
                try:
                    r = scanning.issue(staff, vote, stations[i % 3], code)
                    with lock:
                        issued.append(r["ballots"])
                except DomainError as exc:
                    with lock:
                        refused.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scanner, args=(i,)) for i in range(SCANNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(issued) == CARDS
    assert Issuance.objects.filter(vote=vote).count() == CARDS
    assert len(refused) == CARDS * (SCANNERS - 1)
    assert set(refused) == {"card_used"}
