"""Each step of the pure-geometry pipeline, and hypothesis property tests of its invariants."""
from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from core.errors import DomainError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from boundaries.geometry import Metric, make_valid, parse_geojson_geometry
from boundaries.pipeline import Sibling, coverage_report, run_pipeline

X0, Y0, D = 104.0, 30.6, 0.01
M = 1 / 111_000
PARENT = box(X0, Y0, X0 + 2 * D, Y0 + 2 * D)
WEST = box(X0, Y0, X0 + D, Y0 + 2 * D)


def run(geom, siblings=(), level=3, **kw):
    return run_pipeline(geom, PARENT, [Sibling(i + 1, s) for i, s in enumerate(siblings)], level=level, **kw)


# --- make valid -----------------------------------------------------------------------------------

def test_make_valid_repairs_touching_ring_and_repeated_points() -> None:
    # A ring that touches itself at one point ("inverted" figure-of-eight with a shared vertex) and a
    # repeated vertex: repaired, not refused.
    touching = Polygon([(0, 0), (2, 0), (2, 2), (1, 0), (0, 2), (0, 0)])
    assert not touching.is_valid
    fixed = make_valid(touching)
    assert fixed.is_valid and fixed.area == pytest.approx(touching.buffer(0).area)
    rep = Polygon([(0, 0), (1, 0), (1, 0), (1, 1), (0, 1)])
    assert shapely.get_num_coordinates(make_valid(rep)) == 5


def test_bow_tie_is_refused_with_location() -> None:
    with pytest.raises(DomainError) as e:
        make_valid(Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)]))
    assert e.value.code == "self_intersection" and "0.5 0.5" in e.value.extra["location"]


@pytest.mark.parametrize(
    ("obj", "code"),
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "ring_too_short"),
        ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [0, 0]]]]}, "ring_too_short"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 0], [0, 0]]]}, "ring_too_short"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [181, 0], [1, 1], [0, 0]]]}, "coords_out_of_range"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, float("nan")], [1, 1], [0, 0]]]}, "coords_out_of_range"),
        ({"type": "GeometryCollection", "geometries": []}, "not_polygon"),
        ({"type": "MultiPolygon", "coordinates": []}, "empty_geometry"),
        ({"coordinates": []}, "geometry_format"),
        ([1, 2], "geometry_format"),
    ],
)
def test_parse_refusals(obj, code) -> None:
    with pytest.raises(DomainError) as e:
        parse_geojson_geometry(obj)
    assert e.value.code == code


def test_feature_input_is_accepted() -> None:
    g = parse_geojson_geometry({"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(WEST)})
    assert g.equals(WEST)


# --- snap, clip, siblings win, node -----------------------------------------------------------------

def test_snap_vertex_to_vertex_and_vertex_to_edge() -> None:
    # Corner 2 m from the parent's NE corner (vertex → vertex) and a vertex 1.5 m from the middle of the
    # parent's east edge (vertex → edge); nothing else within 3 m.
    g = Polygon([(X0 + 1.5 * D, Y0 + 1.5 * D), (X0 + 2 * D - 1.5 * M, Y0 + 1.7 * D),
                 (X0 + 2 * D - 2 * M, Y0 + 2 * D - 1 * M), (X0 + 1.5 * D, Y0 + 2 * D - 20 * M)])
    r = run(g)
    xy = {tuple(c) for c in shapely.get_coordinates(r.geometry)}
    assert (X0 + 2 * D, Y0 + 2 * D) in xy
    assert (X0 + 2 * D, pytest.approx(Y0 + 1.7 * D)) in [(x, y) for x, y in xy]
    assert r.report["vertices_moved"] == 2
    assert r.report["clipped_m2"] == 0


def test_far_vertices_are_not_snapped() -> None:
    g = box(X0 + 1.5 * D, Y0 + 1.5 * D, X0 + 2 * D - 10 * M, Y0 + 2 * D - 10 * M)
    r = run(g)
    assert r.report["vertices_moved"] == 0 and r.geometry.equals(MultiPolygon([g]))


def test_clip_reports_area_outside_parent() -> None:
    g = box(X0 + 1.5 * D, Y0 + 1.5 * D, X0 + 2.5 * D, Y0 + 2 * D)
    r = run(g)
    metric = Metric.for_geometry(PARENT)
    assert r.report["clipped_m2"] == pytest.approx(metric.area(box(X0 + 2 * D, Y0 + 1.5 * D, X0 + 2.5 * D, Y0 + 2 * D)), rel=1e-3)
    assert r.geometry.bounds[2] == X0 + 2 * D


def test_siblings_win_and_share_edge() -> None:
    g = box(X0 + 0.5 * D, Y0, X0 + 2 * D, Y0 + 2 * D)
    r = run(g, [WEST])
    assert r.geometry.bounds[0] == X0 + D
    assert r.report["overlap_removed_m2"] == pytest.approx(Metric.for_geometry(PARENT).area(box(X0 + 0.5 * D, Y0, X0 + D, Y0 + 2 * D)), rel=1e-3)
    assert r.report["shared_with"] == [1] and r.report["coverage_valid"]


def test_node_puts_each_sides_vertices_on_the_other() -> None:
    # The sibling's edge has a vertex in its middle; the new unit covers only the top half.
    west = Polygon([(X0, Y0), (X0 + D, Y0), (X0 + D, Y0 + 0.7 * D), (X0 + D, Y0 + 2 * D), (X0, Y0 + 2 * D)])
    g = box(X0 + D, Y0 + 0.5 * D, X0 + 2 * D, Y0 + 2 * D)
    r = run(g, [west])
    xy = {tuple(c) for c in shapely.get_coordinates(r.geometry)}
    assert (X0 + D, Y0 + 0.7 * D) in xy  # the neighbour's vertex on our edge
    assert set(r.noded_siblings) == {1}
    sxy = {tuple(c) for c in shapely.get_coordinates(r.noded_siblings[1])}
    assert (X0 + D, Y0 + 0.5 * D) in sxy  # our corner on the neighbour's edge
    assert shapely.coverage_is_valid([r.noded_siblings[1], r.geometry])


def test_coverage_report_lists_unmatched_edges_and_gaps() -> None:
    metric = Metric.for_geometry(PARENT)
    a = box(X0, Y0, X0 + D, Y0 + 2 * D)
    b = Polygon([(X0 + D, Y0), (X0 + 2 * D, Y0), (X0 + 2 * D, Y0 + D), (X0 + D, Y0 + D)])  # T-junction on a
    rep = coverage_report(PARENT, [a, b], level=3, metric=metric)
    assert rep["coverage_valid"] is False and rep["invalid_edges"]
    assert rep["gaps"][0]["area_m2"] == pytest.approx(metric.area(box(X0 + D, Y0 + D, X0 + 2 * D, Y0 + 2 * D)), rel=1e-3)
    # Buildings need not tile their parent: no gaps reported at level 5.
    assert coverage_report(PARENT, [a], level=5, metric=metric)["gaps"] == []


def test_outside_and_covered_refusals() -> None:
    with pytest.raises(DomainError) as e:
        run(box(X0 + 3 * D, Y0, X0 + 4 * D, Y0 + D))
    assert e.value.code == "outside_parent" and e.value.extra["distance_m"] > 900
    with pytest.raises(DomainError) as e:
        run(box(X0 + 0.1 * D, Y0 + 0.1 * D, X0 + 0.9 * D, Y0 + 0.9 * D), [WEST])
    assert e.value.code == "covered_by_siblings"


def test_metric_uses_gauss_kruger_zone() -> None:
    metric = Metric.for_geometry(PARENT)
    assert metric.srid == 4544  # 104°E is nearest the 105°E central meridian
    # 0.01° of latitude ≈ 1,109 m; of longitude at 30.6°N ≈ 959 m.
    assert metric.area(box(X0, Y0, X0 + D, Y0 + D)) == pytest.approx(1_108.8 * 958.7, rel=0.003)


# --- properties -----------------------------------------------------------------------------------

def _siblings(cut: float, jag: list[float]) -> list[Polygon]:
    """Two siblings: a jagged western strip and a south-eastern block sharing an edge with it."""
    ys = np.linspace(Y0, Y0 + 2 * D, len(jag) + 2)
    xs = [X0 + cut * D] + [X0 + (cut + j) * D for j in jag] + [X0 + cut * D]
    line = list(zip(xs, ys, strict=True))
    west = Polygon([(X0, Y0), *line, (X0, Y0 + 2 * D)])
    west = shapely.intersection(west, PARENT)
    block = shapely.difference(box(X0, Y0, X0 + 2 * D, Y0 + 0.6 * D), west)
    block = shapely.snap(block, west, 1e-12)
    west = shapely.snap(west, block, 1e-12)  # the existing coverage is clean: nodes on both sides
    assert shapely.coverage_is_valid([west, block])
    return [p for p in (west, block) if isinstance(p, Polygon) and not p.is_empty]


@st.composite
def star_polygon(draw):
    cx = draw(st.floats(X0 - 0.2 * D, X0 + 2.2 * D))
    cy = draw(st.floats(Y0 - 0.2 * D, Y0 + 2.2 * D))
    n = draw(st.integers(3, 24))
    radii = draw(st.lists(st.floats(0.05 * D, 1.2 * D), min_size=n, max_size=n))
    angles = np.sort(np.array(draw(st.lists(st.floats(0, 2 * math.pi), min_size=n, max_size=n, unique=True))))
    pts = [(cx + r * math.cos(a), cy + r * math.sin(a)) for r, a in zip(radii, angles, strict=True)]
    return Polygon(pts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn=star_polygon(),
    cut=st.floats(0.3, 1.2),
    jag=st.lists(st.floats(-0.2, 0.2), min_size=0, max_size=6),
)
def test_invariants_hold_for_random_drawings(drawn: Polygon, cut: float, jag: list[float]) -> None:
    siblings = _siblings(cut, jag)
    if not drawn.is_valid:
        drawn = drawn.buffer(0)
        if not isinstance(drawn, Polygon) or drawn.is_empty:
            return
    try:
        r = run(drawn, siblings)
    except DomainError as e:
        assert e.code in ("outside_parent", "covered_by_siblings", "self_intersection")
        return
    metric = Metric.for_geometry(PARENT)
    g = r.geometry
    assert g.is_valid and not g.is_empty

    def m2(geom) -> float:
        # Area of slivers measured in degrees and scaled: projecting a degenerate sliver's vertices
        # one by one would bend its straight edges and invent millimetres.
        return float(shapely.area(geom)) * metric.m2_per_deg2

    # Inside the parent.
    assert m2(shapely.difference(g, PARENT)) < 0.01
    # Overlaps no sibling.
    final_sibs = [r.noded_siblings.get(i + 1, s) for i, s in enumerate(siblings)]
    for s in final_sibs:
        assert m2(shapely.intersection(g, s)) < 0.01
        # The sibling's shape is unchanged by noding.
        assert m2(shapely.symmetric_difference(s, siblings[final_sibs.index(s)])) < 0.01
    # Shared edges match the neighbours' vertices: a valid coverage.
    assert shapely.coverage_is_valid(np.array([*final_sibs, g], dtype=object)), shapely.coverage_invalid_edges(
        np.array([*final_sibs, g], dtype=object))
    # Every vertex of the result that lies on a neighbour's boundary is one of its vertices.
    for s in final_sibs:
        svx = {tuple(c) for c in shapely.get_coordinates(s)}
        on_edge = [tuple(c) for c in shapely.get_coordinates(g)
                   if shapely.distance(shapely.Point(c), s.boundary) == 0]
        assert all(c in svx for c in on_edge)


def test_linestring_helper_sanity() -> None:
    assert LineString([(0, 0), (1, 0)]).length == 1
