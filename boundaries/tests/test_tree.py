from __future__ import annotations

import pytest
from core.errors import DomainError
from django.contrib.gis.geos import MultiPolygon, Polygon

from boundaries.codes import validate_code
from boundaries.crs import gauss_kruger_srid
from boundaries.levels import Kind, Level
from boundaries.models import AdminUnit


def square(x0: float, y0: float, size: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x0 + size, y0 + size)), srid=4490)


@pytest.mark.django_db
def test_trigger_keeps_web_mercator_copy_and_gk_area(demo) -> None:
    # The session's demo holds 500000/500112; a unit of another district (巴南区) for this test.
    # 0.01° square at 29.7°N near 106.6°E: about 1.11 km × 0.967 km.
    d = AdminUnit.objects.create(
        level=Level.DISTRICT, kind=Kind.DISTRICT, code="500113", name="巴南区", parent=demo.city,
        geom=square(106.6, 29.7, 0.01),
    )
    d.refresh_from_db()
    assert d.geom_3857.srid == 3857
    # 0.01° of latitude ≈ 1,108.6 m; 0.01° of longitude at 29.7°N ≈ 966.8 m.
    assert d.area_m2 == pytest.approx(1_108.6 * 966.8, rel=0.005)
    assert d.path == "500000/500113/"
    d.geom = square(106.6, 29.7, 0.02)
    d.save()
    d.refresh_from_db()
    assert d.area_m2 == pytest.approx(4 * 1_108.6 * 966.8, rel=0.005)


@pytest.mark.django_db
def test_subtree_and_ancestors_are_prefix_queries(demo) -> None:
    city = demo.city
    d = AdminUnit.objects.create(level=1, kind=Kind.DISTRICT, code="500113", name="巴南区", parent=city)
    t = AdminUnit.objects.create(level=2, kind=Kind.SUBDISTRICT, code="500113001", name="某街道", parent=d)
    c = AdminUnit.objects.create(level=3, kind=Kind.COMMUNITY, code="500113001001", name="某社区", parent=t)
    other = AdminUnit.objects.create(level=2, kind=Kind.TOWN, code="500113100", name="某镇", parent=d)
    assert set(AdminUnit.objects.subtree(t)) == {t, c}
    assert list(AdminUnit.objects.ancestors_of(c)) == [city, d, t]
    assert other not in AdminUnit.objects.subtree(t)


def test_gauss_kruger_zone() -> None:
    assert gauss_kruger_srid(106.6) == 4545
    # Zones change half-way between central meridians: 106.4°E is nearer 105°E, 106.6°E nearer 108°E.
    assert gauss_kruger_srid(106.4) == 4544
    assert gauss_kruger_srid(105.2) == 4544


@pytest.mark.parametrize(
    ("code", "level", "kind", "parent", "error"),
    [
        ("500112001", Level.TOWN, Kind.SUBDISTRICT, "500112", None),
        ("500112101", Level.TOWN, Kind.TOWN, "500112", None),
        ("500112101", Level.TOWN, Kind.SUBDISTRICT, "500112", "code_kind_mismatch"),
        ("500113001", Level.TOWN, Kind.SUBDISTRICT, "500112", "code_parent_mismatch"),
        ("50011200", Level.TOWN, Kind.SUBDISTRICT, "500112", "code_format"),
        ("500112001201", Level.COMMUNITY, Kind.VILLAGE, "500112001", None),
        ("500112001201", Level.COMMUNITY, Kind.COMMUNITY, "500112001", "code_kind_mismatch"),
    ],
)
def test_code_scheme(code: str, level: int, kind: str, parent: str, error: str | None) -> None:
    if error is None:
        validate_code(code, level, kind, parent)
    else:
        with pytest.raises(DomainError) as exc:
            validate_code(code, level, kind, parent)
        assert exc.value.code == error
