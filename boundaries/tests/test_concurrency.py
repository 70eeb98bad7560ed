"""Two neighbours saved at the same moment under one parent never overlap (parent row lock)."""
from __future__ import annotations

import threading

import pytest
import shapely
from django.db import connection

from boundaries import services
from boundaries.levels import Kind
from boundaries.models import AdminUnit

from .factories import X0, Y0, D, gj, make_tree


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_creates_do_not_overlap() -> None:
    t = make_tree()
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(name: str, geometry: dict) -> None:
        try:
            barrier.wait()
            results[name] = services.create_unit(t.town_staff, t.town.pk, name=name, kind=Kind.COMMUNITY,
                                                 geometry=geometry).report
        except Exception as exc:  # pragma: no cover - reported below
            results[name] = exc
        finally:
            connection.close()

    # Both cover the middle of the east half; each would take it all if it ignored the other.
    a = threading.Thread(target=save, args=("甲", gj(X0 + D, Y0, X0 + 1.7 * D, Y0 + 2 * D)))
    b = threading.Thread(target=save, args=("乙", gj(X0 + 1.3 * D, Y0, X0 + 2 * D, Y0 + 2 * D)))
    a.start(), b.start()
    a.join(), b.join()
    assert all(isinstance(r, dict) for r in results.values()), results
    ga = services.to_shapely(AdminUnit.objects.get(name="甲").geom)
    gb = services.to_shapely(AdminUnit.objects.get(name="乙").geom)
    assert shapely.area(shapely.intersection(ga, gb)) < 1e-14
    assert sorted(r["overlap_removed_m2"] > 0 for r in results.values()) == [False, True]
    assert shapely.coverage_is_valid([ga, gb])
