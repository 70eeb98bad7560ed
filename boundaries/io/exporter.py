"""Export a subtree with its attributes: GeoJSON (RFC 7946), GeoPackage, Shapefile
(zip) and CSV with WKT, in EPSG:4490 or EPSG:4326.

CGCS2000 and WGS-84 coordinates agree to centimetres, so the numbers are the same and only the
declared CRS differs. GeoJSON is always written per RFC 7946 (WGS-84 longitude/latitude, right-hand
rule, no "crs" member) — the standard allows nothing else.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from core.errors import DomainError
from django.db import connection

from ..models import AdminUnit

EXPORT_FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "shp": ("application/zip", "zip"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
EXPORT_SRIDS = (4490, 4326)

SQL = """
SELECT u.id, u.code, u.name, u.level, u.kind, p.code, u.area_m2, u.floors, u.height_m, u.building_use,
       u.boundary_version, ST_AsBinary(u.geom)
FROM adminunits_adminunit u LEFT JOIN adminunits_adminunit p ON p.id = u.parent_id
WHERE u.path LIKE %s {level_filter}
ORDER BY u.level, u.code
"""
COLUMNS = ["id", "code", "name", "level", "kind", "parent", "area_m2", "floors", "height_m", "bldg_use", "version"]


def subtree_frame(root: AdminUnit, srid: int, level: int | None = None) -> gpd.GeoDataFrame:
    prefix = root.path.replace("%", r"\%").replace("_", r"\_") + "%"
    params: list[Any] = [prefix]
    sql = SQL.format(level_filter="AND u.level = %s" if level is not None else "")
    if level is not None:
        params.append(int(level))
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    data = {c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)}
    geoms = shapely.from_wkb([bytes(r[11]) if r[11] is not None else None for r in rows])
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=f"EPSG:{srid}")


def export_subtree(root: AdminUnit, fmt: str, srid: int = 4490, level: int | None = None) -> tuple[bytes, str, str]:
    """(content, filename, content type)."""
    if fmt not in EXPORT_FORMATS:
        raise DomainError("format_unsupported", "导出格式应为 geojson、gpkg、shp 或 csv。")
    if int(srid) not in EXPORT_SRIDS:
        raise DomainError("srid_unsupported", "导出坐标系应为 EPSG:4490（CGCS2000）或 EPSG:4326（WGS-84）。")
    srid = int(srid)
    content_type, ext = EXPORT_FORMATS[fmt]
    gdf = subtree_frame(root, 4326 if fmt == "geojson" else srid, level)
    stem = f"{root.code}-{root.name}-{'4326' if fmt == 'geojson' else srid}"
    if fmt == "csv":
        df = gdf.drop(columns="geometry")
        df["wkt"] = shapely.to_wkt(gdf.geometry.values, rounding_precision=-1)
        df["srid"] = srid
        return df.to_csv(index=False).encode("utf-8-sig"), f"{stem}.csv", content_type
    with tempfile.TemporaryDirectory(prefix="bexport-") as tmp:
        base = Path(tmp)
        if fmt == "geojson":
            out = base / f"{stem}.geojson"
            pyogrio.write_dataframe(gdf, out, driver="GeoJSON", layer_options={"RFC7946": "YES"})
            return out.read_bytes(), out.name, content_type
        if fmt == "gpkg":
            out = base / f"{stem}.gpkg"
            pyogrio.write_dataframe(gdf, out, driver="GPKG", layer=f"units_{root.code}")
            return out.read_bytes(), out.name, content_type
        shp_dir = base / "shp"
        shp_dir.mkdir()
        pyogrio.write_dataframe(gdf, shp_dir / f"{root.code}.shp", driver="ESRI Shapefile", encoding="UTF-8")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(shp_dir.iterdir()):
                zf.write(p, p.name)
        return buf.getvalue(), f"{stem}.zip", content_type
