"""Consistency report of a subtree and the check_consistency command."""
from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from boundaries.consistency import subtree_report
from boundaries.models import AdminUnit

from .factories import X0, Y0, D, make_tree, rect

pytestmark = pytest.mark.django_db


def test_each_kind_of_issue_with_geometry_and_size() -> None:
    t = make_tree()
    # Written around the pipeline, as a careless bulk load might: the east community pokes 100 m out of
    # the town, overlaps the west community by 0.1 D, and leaves the north-east quarter uncovered; a
    # third community meets the east one with a T-junction (unmatched shared edge).
    east = AdminUnit.objects.create(level=3, kind="community", code="510112001002", name="东", parent=t.town,
                                    geom=rect(X0 + 0.9 * D, Y0, X0 + 2.1 * D, Y0 + D))
    north = AdminUnit.objects.create(level=3, kind="community", code="510112001003", name="北", parent=t.town,
                                     geom=rect(X0 + 1.5 * D, Y0 + D, X0 + 2 * D, Y0 + 2 * D))
    rep = subtree_report(t.town)
    by_type: dict[str, list] = {}
    for issue in rep["issues"]:
        by_type.setdefault(issue["type"], []).append(issue)
    assert set(by_type) == {"outside_parent", "overlap", "gap", "unmatched_edge"}
    out = by_type["outside_parent"][0]
    assert out["units"] == [east.pk] and out["area_m2"] == pytest.approx(0.1 * 960 * 1109, rel=0.03)
    ov = by_type["overlap"][0]
    assert set(ov["units"]) == {t.west.pk, east.pk} and ov["area_m2"] == pytest.approx(0.1 * 960 * 1109, rel=0.03)
    gap = by_type["gap"][0]
    assert gap["area_m2"] == pytest.approx(0.5 * 960 * 1109, rel=0.03) and gap["geometry"]["type"] == "Polygon"
    assert all(i["length_m"] > 0 for i in by_type["unmatched_edge"])
    assert {u for i in by_type["unmatched_edge"] for u in i["units"]} >= {east.pk, north.pk}
    assert rep["summary"]["overlap"]["count"] == 1


def test_clean_tree_has_no_issues() -> None:
    t = make_tree(with_east=True)
    rep = subtree_report(t.district)
    # The district's towns and the town's two communities tile their parents exactly.
    assert rep["issues"] == [] and rep["units_checked"] == 5


def test_command(tmp_path: Path) -> None:
    t = make_tree()
    AdminUnit.objects.create(level=3, kind="community", code="510112001002", name="东", parent=t.town,
                             geom=rect(X0 + 0.9 * D, Y0, X0 + 2 * D, Y0 + 2 * D))
    out = StringIO()
    path = tmp_path / "report.json"
    call_command("check_consistency", "--unit", t.district.code, "--json", str(path), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "510112" in text and "overlap" in text
    data = json.loads(path.read_text())
    assert data[0]["summary"]["overlap"]["count"] == 1
    with pytest.raises(SystemExit):
        call_command("check_consistency", "--unit", t.district.code, "--fail-on-issues", stdout=StringIO(),
                     stderr=StringIO())


def test_demo_district_is_consistent_after_a_pipeline_save(demo) -> None:
    """The demo's own tree, then a community reshaped through the pipeline: still a clean coverage."""
    from boundaries import services

    before = subtree_report(demo.town, include_geometry=False)
    com = AdminUnit.objects.get(pk=demo.community.pk)
    g = services.to_shapely(com.geom)
    # Push the community 30 m outwards everywhere: neighbours win, the town clips.
    grown = g.buffer(30 / 111_000, join_style="mitre")
    out = services.reshape_unit(demo.town_staff, com.pk, grown, reason="测试")
    assert out.report["overlap_removed_m2"] > 0
    after = subtree_report(demo.town, include_geometry=False)
    new_overlaps = after["summary"].get("overlap", {}).get("count", 0) - before["summary"].get("overlap", {}).get("count", 0)
    assert new_overlaps <= 0
    assert after["summary"].get("outside_parent", {}).get("count", 0) <= before["summary"].get(
        "outside_parent", {}).get("count", 0)
