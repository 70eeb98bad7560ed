"""Reading boundary files: GeoJSON, GeoPackage, zipped Shapefile, KML (pyogrio/GDAL), any CRS.

Everything is converted to CGCS2000 longitude/latitude (EPSG:4490) on the way in: projected or
geographic EPSG systems with pyproj (the CRS read from the file, or the one the user gives), and
GCJ-02 / BD-09 web-map coordinates with the conversion in ``chinese_coords``.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyogrio
import shapely
from core.errors import DomainError
from pyproj import CRS
from pyproj.exceptions import CRSError

from .chinese_coords import TO_WGS84

FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".zip": "shapefile", ".kml": "kml"}
COORDINATE_SYSTEMS = ("standard", "gcj02", "bd09")
CODE_COLUMNS = ("code", "CODE", "Code", "代码", "区划代码", "dm", "DM")
NAME_COLUMNS = ("name", "NAME", "Name", "名称", "单位名称", "mc", "MC")
KIND_COLUMNS = ("kind", "KIND", "类型")
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass
class RawFeature:
    index: int
    geometry: Any  # shapely, EPSG:4490 (or None)
    code: str = ""
    name: str = ""
    kind: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReadResult:
    features: list[RawFeature]
    source_crs: str
    coordinate_system: str
    notes: list[str]


@contextmanager
def _stored(upload: IO[bytes] | bytes, filename: str) -> Iterator[Path]:
    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="bimport-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        data = upload if isinstance(upload, bytes) else upload.read()
        if len(data) > MAX_FILE_BYTES:
            raise DomainError("file_too_large", f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB上限。")
        path.write_bytes(data)
        yield path


def _gdal_path(path: Path, fmt: str) -> str:
    if fmt != "shapefile":
        return str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            shp = [n for n in zf.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
    except zipfile.BadZipFile:
        raise DomainError("file_unreadable", "压缩包已损坏，无法打开。") from None
    if len(shp) != 1:
        raise DomainError("shapefile_layout", "压缩包中应恰好包含一个 .shp 文件（及同名 .shx/.dbf/.prj）。")
    return f"/vsizip/{path}/{shp[0]}"


#: Larger than any projected coordinate on Earth (metres; Gauss-Krüger false eastings are ~4e7).
MAX_COORDINATE = 1e9


def _first(row: dict[str, Any], names: tuple[str, ...]) -> str:
    for n in names:
        v = row.get(n)
        if v is not None and str(v).strip() and str(v) != "nan":
            s = str(v).strip()
            return s[:-2] if s.endswith(".0") and s[:-2].isdigit() else s
    return ""


def parse_crs(value: Any) -> CRS | None:
    if value in (None, ""):
        return None
    try:
        text = str(value).strip()
        return CRS.from_user_input(int(text) if text.isdigit() else text)
    except (CRSError, ValueError):
        raise DomainError("crs_invalid", f"无法识别坐标系“{value}”，请填写 EPSG 代码（如 4490、4326、4545）。") from None


def read_features(
    upload: IO[bytes] | bytes, filename: str, *, crs: Any = None, coordinate_system: str = "standard"
) -> ReadResult:
    fmt = FORMATS.get(Path(filename or "").suffix.lower())
    if fmt is None:
        raise DomainError("format_unsupported", "仅支持 GeoJSON、GeoPackage、Shapefile（zip 压缩）和 KML 文件。")
    if coordinate_system not in COORDINATE_SYSTEMS:
        raise DomainError("coordinate_system_invalid", "坐标体系应为 standard、gcj02（高德/腾讯）或 bd09（百度）。")
    given = parse_crs(crs)
    notes: list[str] = []
    with _stored(upload, filename) as path:
        src = _gdal_path(path, fmt)
        try:
            gdf = pyogrio.read_dataframe(src, layer=0)
        except Exception as exc:  # pyogrio raises DataSourceError/DataLayerError and GDAL errors
            raise DomainError("file_unreadable", f"无法读取文件：{os.path.basename(filename)}（格式或内容有误）。") from exc
    if len(gdf) == 0:
        raise DomainError("file_empty", "文件中没有要素。")
    xy = shapely.get_coordinates(gdf.geometry.values)
    # Neither degrees nor metres of any projection (1e308, inf): say so, not "looks like metres".
    if len(xy) and (~np.isfinite(xy) | (np.abs(xy) > MAX_COORDINATE)).any():
        row = next(i for i, g in enumerate(gdf.geometry.values)
                   if g is not None and (~np.isfinite(c := shapely.get_coordinates(g)) | (np.abs(c) > MAX_COORDINATE)).any())
        raise DomainError("coordinates_out_of_range",
                          f"第{row + 1}个要素的坐标值超出任何坐标系的范围（如 1e308），不是有效的坐标。",
                          extra={"feature": row})
    file_crs = gdf.crs
    if given is not None:
        if file_crs is not None and not CRS(file_crs).equals(given):
            notes.append(f"文件自带坐标系 {CRS(file_crs).to_string()}，按指定的 {given.to_string()} 处理。")
        gdf = gdf.set_crs(given, allow_override=True)
    elif file_crs is None:
        xy = shapely.get_coordinates(gdf.geometry.values)
        if len(xy) and (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all():
            gdf = gdf.set_crs(4490)
            notes.append("文件未声明坐标系，按 CGCS2000 经纬度（EPSG:4490）处理。")
        else:
            raise DomainError("crs_missing", "文件未声明坐标系且坐标不是经纬度，请指定 EPSG 代码。")
    source = CRS(gdf.crs).to_string()
    if CRS(gdf.crs).is_geographic:
        xy = shapely.get_coordinates(gdf.geometry.values)
        if len(xy) and ((np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any()):
            raise DomainError(
                "crs_mismatch",
                f"文件按 {source}（经纬度）读取，但坐标值超出经纬度范围（像是以米为单位的投影坐标）。请指定正确的 EPSG 代码。",
            )
    if coordinate_system != "standard" and not CRS(gdf.crs).is_geographic:
        raise DomainError("coordinate_system_invalid", "GCJ-02/BD-09 坐标必须是经纬度，不能与投影坐标系同时使用。")
    try:
        gdf = gdf.to_crs(4490)
    except Exception as exc:
        raise DomainError("crs_transform_failed", f"无法从 {source} 转换到 CGCS2000。") from exc
    geoms = shapely.force_2d(np.asarray(gdf.geometry.values, dtype=object))
    if coordinate_system != "standard":
        convert = TO_WGS84[coordinate_system]

        def fn(xy: np.ndarray) -> np.ndarray:
            lon, lat = convert(xy[:, 0], xy[:, 1])
            return np.column_stack([lon, lat])

        geoms = shapely.transform(geoms, fn)
        notes.append(f"已将 {coordinate_system.upper()} 坐标转换为 CGCS2000。")
    attrs = gdf.drop(columns="geometry").to_dict("records")
    feats = [
        RawFeature(
            index=i, geometry=geoms[i] if geoms[i] is not None else None,
            code=_first(row, CODE_COLUMNS), name=_first(row, NAME_COLUMNS), kind=_first(row, KIND_COLUMNS),
            attrs={k: (None if v != v else v) for k, v in row.items() if isinstance(v, str | int | float)},
        )
        for i, row in enumerate(attrs)
    ]
    return ReadResult(features=feats, source_crs=source, coordinate_system=coordinate_system, notes=notes)
