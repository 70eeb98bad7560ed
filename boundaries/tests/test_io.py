"""Import (GeoJSON, GeoPackage, zipped Shapefile, KML; any EPSG; GCJ-02/BD-09) and export."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from core.errors import DomainError
from shapely.geometry import box

from boundaries import services
from boundaries.io import chinese_coords as cc
from boundaries.io.exporter import export_subtree
from boundaries.io.importer import import_units
from boundaries.models import AdminUnit, BoundaryVersion

from .factories import X0, Y0, D, make_tree

pytestmark = pytest.mark.django_db


# --- GCJ-02 / BD-09 against published reference pairs ------------------------------------------------

def test_gcj02_bd09_reference_pairs() -> None:
    # Pairs published with the widely used coordtransform implementation (Tiananmen, 116.404, 39.915).
    assert cc.wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-12)
    assert cc.gcj02_to_bd09(116.404, 39.915) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-12)
    assert cc.bd09_to_gcj02(116.404, 39.915) == pytest.approx((116.39762729119315, 39.90865673957631), abs=1e-12)
    assert cc.wgs84_to_bd09(116.404, 39.915) == pytest.approx((116.41662724378733, 39.922699552216216), abs=1e-12)
    # Their one-step inverse is approximate (≈ 0.5 m); ours iterates to the exact inverse.
    lon, lat = cc.gcj02_to_wgs84(116.404, 39.915)
    assert (lon, lat) == pytest.approx((116.39775550083061, 39.91359571849836), abs=1e-5)
    assert cc.wgs84_to_gcj02(lon, lat) == pytest.approx((116.404, 39.915), abs=1e-10)
    lon, lat = cc.bd09_to_wgs84(116.41662724378733, 39.922699552216216)
    assert (lon, lat) == pytest.approx((116.404, 39.915), abs=1e-8)


def test_outside_china_is_untouched() -> None:
    assert cc.wgs84_to_gcj02(-0.1246, 51.5007) == pytest.approx((-0.1246, 51.5007))


# --- helpers ----------------------------------------------------------------------------------------

EAST = box(X0 + D, Y0, X0 + 2 * D, Y0 + 2 * D)
WEST_NEW = box(X0, Y0, X0 + 0.9 * D, Y0 + 2 * D)


def frame(srid: int = 4490, geoms=None, names=("东社区", "西社区"), codes=("", "510112001001")) -> gpd.GeoDataFrame:
    geoms = geoms or [EAST, WEST_NEW]
    return gpd.GeoDataFrame({"name": list(names), "code": list(codes)}, geometry=geoms, crs="EPSG:4490").to_crs(srid)


def write(tmp_path: Path, gdf: gpd.GeoDataFrame, fmt: str) -> tuple[bytes, str]:
    if fmt == "geojson":
        p = tmp_path / "f.geojson"
        pyogrio.write_dataframe(gdf, p, driver="GeoJSON")
    elif fmt == "gpkg":
        p = tmp_path / "f.gpkg"
        pyogrio.write_dataframe(gdf, p, driver="GPKG")
    elif fmt == "kml":
        p = tmp_path / "f.kml"
        pyogrio.write_dataframe(gdf.rename(columns={"name": "Name"}).to_crs(4326), p, driver="KML")
    else:
        d = tmp_path / "shp"
        d.mkdir()
        pyogrio.write_dataframe(gdf, d / "units.shp", driver="ESRI Shapefile", encoding="UTF-8")
        p = tmp_path / "f.zip"
        with zipfile.ZipFile(p, "w") as zf:
            for f in d.iterdir():
                zf.write(f, f.name)
    return p.read_bytes(), p.name


@pytest.mark.parametrize(("fmt", "srid"), [("geojson", 4326), ("gpkg", 4544), ("shp", 4490), ("kml", 4326),
                                           ("gpkg", 3857)])
def test_import_each_format_and_crs(tmp_path: Path, fmt: str, srid: int) -> None:
    t = make_tree()
    data, name = write(tmp_path, frame(srid), fmt)
    n_units, n_versions = AdminUnit.objects.count(), BoundaryVersion.objects.count()
    dry = import_units(t.town_staff, t.town.pk, data, name, dry_run=True)
    assert (AdminUnit.objects.count(), BoundaryVersion.objects.count()) == (n_units, n_versions)
    assert dry["summary"] == {"matched": 1, "created": 1, "rejected": 0}
    by_name = {f["name"]: f for f in dry["features"]}
    assert by_name["西社区"]["action"] == "matched" and by_name["西社区"]["unit"] == t.west.pk
    assert by_name["东社区"]["action"] == "created"
    real = import_units(t.town_staff, t.town.pk, data, name, dry_run=False)
    assert real["summary"] == dry["summary"]
    east = AdminUnit.objects.get(parent=t.town, name="东社区")
    west = AdminUnit.objects.get(pk=t.west.pk)
    assert services.to_shapely(east.geom).bounds == pytest.approx(EAST.bounds, abs=2e-7)
    assert services.to_shapely(west.geom).bounds[2] == pytest.approx(X0 + 0.9 * D, abs=2e-7)
    assert west.boundary_versions.first().operation == "import"


def test_import_matches_by_code_and_creates_with_code(tmp_path: Path) -> None:
    t = make_tree()
    gdf = frame(names=("新东社区", "改名的西社区"), codes=("510112001003", "510112001001"))
    data, name = write(tmp_path, gdf, "geojson")
    rep = import_units(t.town_staff, t.town.pk, data, name, dry_run=False)
    rows = {f["index"]: f for f in rep["features"]}
    assert rows[1]["action"] == "matched" and rows[1]["matched_by"] == "code"
    assert rows[0]["action"] == "created" and AdminUnit.objects.get(code="510112001003").name == "新东社区"


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_import_web_map_coordinates(tmp_path: Path, system: str) -> None:
    t = make_tree()
    forward = cc.FROM_WGS84[system]
    shifted = shapely.transform(EAST, lambda xy: np.column_stack(forward(xy[:, 0], xy[:, 1])))
    assert shapely.hausdorff_distance(shifted, EAST) > 0.002  # hundreds of metres off before conversion
    data, name = write(tmp_path, frame(4326, [shifted], names=("东社区",), codes=("",)), "geojson")
    rep = import_units(t.town_staff, t.town.pk, data, name, coordinate_system=system, dry_run=False)
    assert rep["summary"]["created"] == 1
    east = services.to_shapely(AdminUnit.objects.get(parent=t.town, name="东社区").geom)
    assert east.bounds == pytest.approx(EAST.bounds, abs=1e-7)


def test_given_crs_for_a_file_without_one(tmp_path: Path) -> None:
    t = make_tree()
    d = tmp_path / "noprj"
    d.mkdir()
    pyogrio.write_dataframe(frame(4544), d / "units.shp", driver="ESRI Shapefile", encoding="UTF-8")
    (d / "units.prj").unlink()
    p = tmp_path / "noprj.zip"
    with zipfile.ZipFile(p, "w") as zf:
        for f in d.iterdir():
            zf.write(f, f.name)
    with pytest.raises(DomainError) as e:
        import_units(t.town_staff, t.town.pk, p.read_bytes(), p.name)
    assert e.value.code == "crs_missing"
    rep = import_units(t.town_staff, t.town.pk, p.read_bytes(), p.name, crs="4544")
    assert rep["summary"]["rejected"] == 0 and rep["source_crs"] == "EPSG:4544"


def test_bad_files_and_wrong_crs_write_nothing(tmp_path: Path) -> None:
    t = make_tree()
    before = AdminUnit.objects.count(), BoundaryVersion.objects.count()
    for content, fname, code in [
        (b"this is not json", "x.geojson", "file_unreadable"),
        (b"PK\x03\x04broken", "x.zip", "file_unreadable"),
        (b"{}", "x.txt", "format_unsupported"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "x.geojson", "file_empty"),
    ]:
        with pytest.raises(DomainError) as e:
            import_units(t.town_staff, t.town.pk, content, fname, dry_run=False)
        assert e.value.code == code, fname
    # Declared WGS-84 but really metres in EPSG:4544: a clear error, nothing written.
    data, name = write(tmp_path, frame(4544), "gpkg")
    with pytest.raises(DomainError) as e:
        import_units(t.town_staff, t.town.pk, data, name, crs="4326", dry_run=False)
    assert e.value.code == "crs_mismatch"
    # A plausible but wrong CRS (another GK zone) lands hundreds of km away: far outside.
    with pytest.raises(DomainError) as e:
        import_units(t.town_staff, t.town.pk, data, name, crs="4547", dry_run=False)
    assert e.value.code == "import_rejected"
    assert {f["error"]["code"] for f in e.value.extra["features"]} == {"far_outside_parent"}
    with pytest.raises(DomainError) as e:
        import_units(t.town_staff, t.town.pk, data, name, crs="EPSG:99999")
    assert e.value.code == "crs_invalid"
    # One good feature and one 50 km away: the real run refuses the whole file.
    far = box(X0 + 0.5, Y0, X0 + 0.5 + D, Y0 + D)
    data, name = write(tmp_path, frame(4490, [EAST, far], names=("东社区", "远方")), "shp")
    dry = import_units(t.town_staff, t.town.pk, data, name)
    assert [f["action"] for f in dry["features"]] == ["created", "rejected"]
    assert dry["features"][1]["error"]["code"] == "far_outside_parent"
    with pytest.raises(DomainError) as e:
        import_units(t.town_staff, t.town.pk, data, name, dry_run=False)
    assert e.value.code == "import_rejected"
    assert (AdminUnit.objects.count(), BoundaryVersion.objects.count()) == before


def test_import_needs_drawing_permission(tmp_path: Path) -> None:
    t = make_tree()
    data, name = write(tmp_path, frame(), "geojson")
    with pytest.raises(DomainError) as e:
        import_units(t.town_supervisor, t.town.pk, data, name)
    assert e.value.code == "forbidden_role"


def test_import_api_multipart(tmp_path: Path) -> None:
    from rest_framework.test import APIClient

    t = make_tree()
    data, name = write(tmp_path, frame(), "gpkg")
    c = APIClient()
    c.force_authenticate(t.town_staff)
    r = c.post("/api/boundaries/import/", {"file": _upload(data, name),
                                           "parent": t.town.pk, "dry_run": "true"}, format="multipart")
    assert r.status_code == 200, r.content
    assert r.json()["summary"]["created"] == 1 and r.json()["dry_run"] is True


def _upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# --- export -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "csv"])
@pytest.mark.parametrize("srid", [4490, 4326])
def test_export_formats(tmp_path: Path, fmt: str, srid: int) -> None:
    t = make_tree(with_east=True)
    content, filename, _ = export_subtree(t.town, fmt, srid)
    p = tmp_path / filename
    p.write_bytes(content)
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("id,code,name,level,kind,parent,area_m2")
        assert "MULTIPOLYGON" in text and "西社区" in text
        return
    src = f"/vsizip/{p}" if fmt == "shp" else str(p)
    gdf = pyogrio.read_dataframe(src)
    assert set(gdf["code"]) == {"510112001", "510112001001", "510112001002"}
    assert "西社区" in set(gdf["name"])
    assert gdf.crs.to_epsg() == (4326 if fmt == "geojson" else srid)
    west = gdf[gdf["code"] == "510112001001"].geometry.iloc[0]
    assert west.bounds == pytest.approx((X0, Y0, X0 + D, Y0 + 2 * D), abs=1e-7)
    if fmt == "geojson":
        doc = json.loads(content)
        assert "crs" not in doc  # RFC 7946
    if fmt == "shp":
        with zipfile.ZipFile(p) as zf:
            assert {Path(n).suffix for n in zf.namelist()} >= {".shp", ".shx", ".dbf", ".prj", ".cpg"}
            assert "unit: 510112001 " in zf.read("PROVENANCE.txt").decode("utf-8")
    if fmt == "geojson":
        assert json.loads(content)["provenance"]["unit"].startswith("510112001 ")
    if fmt == "gpkg":
        meta = pyogrio.read_info(p)["dataset_metadata"]
        assert meta["unit"].startswith("510112001 ") and meta["crs"] == f"EPSG:{srid}"
        assert meta["exported_at"].endswith("+08:00")  # Asia/Shanghai


def test_export_of_chosen_levels() -> None:
    t = make_tree(with_east=True)
    content, _, _ = export_subtree(t.town, "csv", 4490, levels=[3])
    text = content.decode("utf-8-sig")
    lines = text.splitlines()
    assert "export_unit" in lines[0] and len(lines) == 3  # the two communities, not the town
    assert all(",3," in line for line in lines[1:])


def test_export_api_audited_and_validated() -> None:
    from audit.models import AuditEvent
    from rest_framework.test import APIClient

    t = make_tree()
    c = APIClient()
    c.force_authenticate(t.town_staff)
    r = c.get(f"/api/units/{t.town.pk}/export/?fmt=gpkg&srid=4326")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="export", object_id=str(t.town.pk)).exists()
    assert c.get(f"/api/units/{t.town.pk}/export/?fmt=dwg").json()["code"] == "format_unsupported"
    assert c.get(f"/api/units/{t.town.pk}/export/?srid=3857").json()["code"] == "srid_unsupported"
    assert c.get(f"/api/units/{t.other_town.pk}/export/").status_code == 404
