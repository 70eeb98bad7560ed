"""Import errors that say what is really wrong with a feature: its geometry first (not an area, a
degenerate part named by index and place, coordinates that are text or absurd), then its name."""
from __future__ import annotations

import json

import pytest
from core.errors import DomainError

from boundaries.io.importer import import_units
from boundaries.models import AdminUnit

from .factories import X0, Y0, D, make_tree

pytestmark = pytest.mark.django_db


def square(x: float, y: float, d: float = D / 2) -> list[list[float]]:
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


def geojson(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]}).encode()


def rejected(t, data: bytes) -> list[dict]:
    report = import_units(t.town_staff, t.town.pk, data, "f.geojson")
    return [f for f in report["features"] if f["action"] == "rejected"]


def test_a_point_without_a_name_is_reported_as_a_point() -> None:
    t = make_tree()
    rows = rejected(t, geojson(({}, {"type": "Point", "coordinates": [X0 + D / 2, Y0 + D / 2]})))
    assert [r["error"]["code"] for r in rows] == ["geometry_type"]
    assert "点" in rows[0]["error"]["detail"] and rows[0]["error"]["location"] == [X0 + D / 2, Y0 + D / 2]


def test_a_line_without_a_name_is_reported_as_a_line() -> None:
    t = make_tree()
    rows = rejected(t, geojson(({}, {"type": "LineString", "coordinates": [[X0, Y0], [X0 + D / 2, Y0 + D / 2]]})))
    assert [r["error"]["code"] for r in rows] == ["geometry_type"]


def test_a_degenerate_part_is_named_by_index_and_place() -> None:
    t = make_tree()
    good = square(X0 + D / 4, Y0 + D / 4)
    flat = [[X0 + D, Y0 + D], [X0 + D * 1.2, Y0 + D], [X0 + D * 1.4, Y0 + D], [X0 + D, Y0 + D]]  # zero area
    rows = rejected(t, geojson(({}, {"type": "MultiPolygon", "coordinates": [[good], [flat]]})))
    assert [r["error"]["code"] for r in rows] == ["degenerate_part"]
    err = rows[0]["error"]
    assert err["part"] == 1 and err["location"] == pytest.approx([X0 + D, Y0 + D])
    assert "第2个部分（共2个）" in err["detail"]


def test_text_coordinates_are_not_called_an_empty_geometry_without_a_word() -> None:
    t = make_tree()
    data = geojson(({"name": "文字坐标"}, {"type": "Polygon", "coordinates": [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]]}))
    try:
        rows = rejected(t, data)
    except DomainError as exc:  # GDAL may refuse the whole file: then it says so
        assert exc.code in ("file_unreadable", "coordinates_out_of_range"), exc.code
        return
    assert [r["error"]["code"] for r in rows] == ["empty_geometry"]
    assert "不是数字" in rows[0]["error"]["detail"]


def test_absurd_coordinates_are_not_called_metres() -> None:
    t = make_tree()
    before = AdminUnit.objects.count()
    data = geojson(({"name": "巨大"}, {"type": "Polygon", "coordinates": [square(1e308, 1e308, 1e300)]}))
    with pytest.raises(DomainError) as e:
        import_units(t.town_staff, t.town.pk, data, "f.geojson", dry_run=False)
    assert e.value.code == "coordinates_out_of_range" and "1e308" in e.value.message
    assert AdminUnit.objects.count() == before


def test_a_good_feature_still_imports() -> None:
    t = make_tree()
    # In the town's east half, beside its one community (the west half).
    ring = square(X0 + 1.25 * D, Y0 + D / 4)
    report = import_units(t.town_staff, t.town.pk, geojson(({"name": "新社区"}, {"type": "Polygon", "coordinates": [ring]})),
                          "f.geojson")
    assert [f["action"] for f in report["features"]] == ["created"], report["features"]
