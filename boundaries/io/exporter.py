"""Export a subtree with its attributes: GeoJSON (RFC 7946), GeoPackage, Shapefile
(zip) and CSV with WKT, in EPSG:4490 or EPSG:4326.

CGCS2000 and WGS-84 coordinates agree to centimetres, so the numbers are the same and only the
declared CRS differs. GeoJSON is always written per RFC 7946 (WGS-84 longitude/latitude, right-hand
rule, no "crs" member) — the standard allows nothing else.
"""
from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from core.errors import DomainError
from django.db import connection
from django.utils import timezone

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


def subtree_frame(root: AdminUnit, srid: int, level: int | None = None,
                  levels: Sequence[int] | None = None) -> gpd.GeoDataFrame:
    prefix = root.path.replace("%", r"\%").replace("_", r"\_") + "%"
    params: list[Any] = [prefix]
    wanted = [int(x) for x in levels] if levels else ([int(level)] if level is not None else [])
    sql = SQL.format(level_filter="AND u.level = ANY(%s)" if wanted else "")
    if wanted:
        params.append(wanted)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    data = {c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)}
    geoms = shapely.from_wkb([bytes(r[11]) if r[11] is not None else None for r in rows])
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=f"EPSG:{srid}")


def provenance(root: AdminUnit, srid: int, levels: Sequence[int] | None, user: Any = None) -> dict[str, str]:
    """Where an exported file comes from: the unit, when (Asia/Shanghai), who, which levels, the CRS
    and the platform's version; each feature also carries its own boundary ``version``."""
    try:
        software = f"smartcommunity {metadata.version('smartcommunity')}"
    except metadata.PackageNotFoundError:
        software = "smartcommunity"
    who = (getattr(user, "display_name", "") or getattr(user, "username", "")) if user is not None else ""
    return {
        "source": f"智慧社区平台 / {software}",
        "unit": f"{root.code} {root.name}",
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "exported_by": who,
        "levels": ",".join(str(x) for x in levels) if levels else "all",
        "crs": f"EPSG:{srid}",
        "feature_version": "column version = the unit's boundary version",
    }


def export_subtree(root: AdminUnit, fmt: str, srid: int = 4490, level: int | None = None, *,
                   levels: Sequence[int] | None = None, user: Any = None) -> tuple[bytes, str, str]:
    """(content, filename, content type). The file carries its provenance (``provenance()``): GeoPackage
    dataset metadata, a top-level "provenance" member in GeoJSON (a foreign member, RFC 7946 §6.1),
    PROVENANCE.txt in the Shapefile zip, and export_* columns in CSV."""
    if fmt not in EXPORT_FORMATS:
        raise DomainError("format_unsupported", "导出格式应为 geojson、gpkg、shp 或 csv。")
    if int(srid) not in EXPORT_SRIDS:
        raise DomainError("srid_unsupported", "导出坐标系应为 EPSG:4490（CGCS2000）或 EPSG:4326（WGS-84）。")
    srid = int(srid)
    content_type, ext = EXPORT_FORMATS[fmt]
    if levels is None and level is not None:
        levels = [int(level)]
    out_srid = 4326 if fmt == "geojson" else srid
    gdf = subtree_frame(root, out_srid, levels=levels)
    prov = provenance(root, out_srid, levels, user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    stem = f"{root.code}-{root.name}-{out_srid}-{stamp}"
    if fmt == "csv":
        df = gdf.drop(columns="geometry")
        df["wkt"] = shapely.to_wkt(gdf.geometry.values, rounding_precision=-1)
        df["srid"] = srid
        df["export_unit"] = prov["unit"]
        df["export_time"] = prov["exported_at"]
        df["export_source"] = prov["source"]
        return df.to_csv(index=False).encode("utf-8-sig"), f"{stem}.csv", content_type
    with tempfile.TemporaryDirectory(prefix="bexport-") as tmp:
        base = Path(tmp)
        if fmt == "geojson":
            out = base / f"{stem}.geojson"
            pyogrio.write_dataframe(gdf, out, driver="GeoJSON", layer_options={"RFC7946": "YES"})
            data = out.read_bytes()
            head = data.index(b"{")
            member = json.dumps({"provenance": prov}, ensure_ascii=False).encode("utf-8")[1:-1]
            return data[: head + 1] + member + b"," + data[head + 1:], out.name, content_type
        if fmt == "gpkg":
            out = base / f"{stem}.gpkg"
            pyogrio.write_dataframe(gdf, out, driver="GPKG", layer=f"units_{root.code}", dataset_metadata=prov,
                                    layer_metadata=prov)
            return out.read_bytes(), out.name, content_type
        shp_dir = base / "shp"
        shp_dir.mkdir()
        pyogrio.write_dataframe(gdf, shp_dir / f"{root.code}.shp", driver="ESRI Shapefile", encoding="UTF-8")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(shp_dir.iterdir()):
                zf.write(p, p.name)
            zf.writestr("PROVENANCE.txt", "\n".join(f"{k}: {v}" for k, v in prov.items()) + "\n")
        return buf.getvalue(), f"{stem}.zip", content_type
