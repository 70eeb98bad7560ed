"""Election fixtures on the tiny demo: people in the demo community's pool (adults, minors, a person
deprived of political rights, non-户籍 residents), a person already on the neighbouring community's
roll, the election committee's seal, and the town's joint-review departments."""
from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from core.documents.models import SealKind
from core.jobs import start_job
from core.jobs.runner import execute
from core.testing import seal_png
from django.utils import timezone
from population.ids import check_digit
from population.models import Person

from boundaries.levels import Level
from boundaries.models import AdminUnit, House
from elections import services
from elections.codes import Category, Source, Stage
from elections.models import Election, VettingDepartment, Voter

_seq = iter(range(3, 499))


def make_id(birth: dt.date, male: bool = True, region: str = "500112") -> str:
    seq = next(_seq) * 2 + (1 if male else 0)
    first = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first + check_digit(first)


def person(name: str, pool: AdminUnit, *, birth: dt.date, male: bool = True, hukou_here: bool = True,
           tags: list[str] | None = None, house: House | None = None) -> tuple[Person, str]:
    number = make_id(birth, male)
    p = Person(name=name, pool=pool, hukou_code=pool.code if hukou_here else "510100000000", tags=tags or [],
               house=house)
    p.set_id_number(number)
    p.save()
    return p, number


def day_ahead(days: int = 40) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def run_job(kind: str, user: Any, unit: Any, **params: Any) -> Any:
    """Run a job in this process (non-transactional tests: the message would only be sent on commit)."""
    job = start_job(kind, user=user, unit=unit, params=params)
    execute(job.pk, pulse=False)
    job.refresh_from_db()
    return job


@pytest.fixture
def world(db: Any, demo: Any, actors: Any) -> SimpleNamespace:
    a, b = demo.community, demo.neighbour_community
    house = House.objects.filter(building__path__startswith=a.path).select_related("building").first()
    adults = [person(f"居民{i}", a, birth=dt.date(1960 + i, 3, 1), male=i % 2 == 0, house=house)[0] for i in range(8)]
    minor, _ = person("少年甲", a, birth=day_ahead() - dt.timedelta(days=365 * 18 - 30))
    deprived, _ = person("剥权乙", a, birth=dt.date(1975, 1, 1), tags=["deprived_political_rights"])
    outsider, outsider_id = person("外来丙", a, birth=dt.date(1985, 6, 1), hukou_here=False)
    mover, mover_id = person("迁入丁", a, birth=dt.date(1979, 9, 9), male=False)
    # The neighbouring community already registered 迁入丁 (registered there before moving here).
    eb = services.create_election(actors.neighbour_staff, b, round="2026", election_day=day_ahead())
    Voter.objects.create(election=eb, person=None, name=mover.name, gender="2", birth_date=mover.birth_date,
                         id_hash=mover.id_hash, id_masked=mover.id_masked, category=Category.HUKOU_RESIDENT,
                         source=Source.MANUAL, reason="测试：已在邻村登记")
    from core.documents.seals import upload_seal

    upload_seal(actors.village_admin, a, SealKind.ELECTION_COMMITTEE, io.BytesIO(seal_png()))
    depts = [VettingDepartment.objects.create(unit=demo.town, name=n) for n in ("组织", "纪检监察", "公安")]
    return SimpleNamespace(a=a, b=b, adults=adults, minor=minor, deprived=deprived, outsider=outsider,
                           outsider_id=outsider_id, mover=mover, mover_id=mover_id, eb=eb, depts=depts, house=house)


@pytest.fixture
def election(world: SimpleNamespace, actors: Any) -> Election:
    return services.create_election(actors.village_staff, world.a, round="2026", election_day=day_ahead(),
                                    posts={"director": 1, "deputy": 1, "member": 3},
                                    committee=[{"name": "张主任", "role": "主任"}])


def published(e: Election, actors: Any) -> Election:
    """Import from the pool, submit, and have the community's reviewer publish the announcement."""
    from core.workflow import services as workflow

    run_job("elections.import_pool", actors.village_staff, e.unit, election=e.pk)
    from elections import announce

    job = announce.submit_roll(actors.village_staff, e)
    execute(job.pk, pulse=False)
    e.refresh_from_db()
    assert e.roll_post is not None, e.events.values_list("text", flat=True)
    workflow.approve(e.roll_post, actors.village_reviewer)
    e.refresh_from_db()
    assert e.stage == Stage.ROLL_PUBLISHED
    return e


def groups_of(unit: AdminUnit) -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(parent=unit, level=Level.NEIGHBOURHOOD).order_by("code"))
