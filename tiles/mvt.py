"""The PostGIS vector-tile backend: composes a layer's reviewed SQL into one ST_AsMVT statement."""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from psycopg import sql

from . import db, generalise
from .layers import SQL_DIR, CombinedLayer, VectorLayer, read_sql, vector_layers

if TYPE_CHECKING:
    from core.types import AnyUser


@cache
def _inner_sql(sql_file: Path, literals: tuple) -> sql.Composable:
    text = read_sql(sql_file)
    formatted: dict[str, sql.Composable] = {}
    for key, value in literals:
        formatted[key] = sql.Identifier(value) if key == "table" else sql.Literal(value)
    # Keep the file's comments out of the composed statement (they would swallow what follows).
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("--")]
    return sql.SQL("\n".join(lines)).format(**formatted)


def layer_statement(layer: VectorLayer, z: int, attributes: tuple[str, ...]) -> str:
    return _statement_text(layer.name, attributes, layer.sql_for(z))


def _query_text(parts: tuple[tuple[str, tuple[str, ...]], ...], z: int) -> str:
    """One statement for the tile; several layers' MVTs concatenate (a repeated protobuf field).
    ``parts`` are (layer name, the attributes this reader receives)."""
    layers = vector_layers()
    statements = [layer_statement(layers[name], z, attributes) for name, attributes in parts]
    return statements[0] if len(statements) == 1 else "SELECT " + " || ".join(f"({s})" for s in statements)


@lru_cache(maxsize=512)
def _statement_text(layer_name: str, attributes: tuple[str, ...], sql_file: Path) -> str:
    """The composed statement, as text, once per (layer, attributes, SQL file)."""
    layer = vector_layers()[layer_name]
    inner = _inner_sql(sql_file, tuple(sorted(layer.sql_literals.items())))
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in ("id", "geom", *attributes))
    return sql.SQL(_wrapper()).format(name=sql.Literal(layer.name), columns=columns, inner=inner).as_string(None)


@lru_cache(maxsize=1)
def _wrapper() -> str:
    return "\n".join(ln for ln in read_sql(SQL_DIR / "layer.sql").splitlines() if not ln.lstrip().startswith("--"))


def render(layer: VectorLayer | CombinedLayer, parts: list[VectorLayer], z: int, x: int, y: int,
           prefix: str, user: AnyUser) -> bytes:
    """The tile's bytes (b'' when no feature) for this reader. ``prefix`` is core.scoping.scope_path's
    value; ``user`` decides the attributes (VectorLayer.conditional)."""
    parts = [p for p in parts if z >= p.minzoom]
    if not parts:
        return b""
    for p in parts:
        if p.generalise_level is not None and z < generalise.RAW_FROM_ZOOM:
            generalise.ensure_fresh(p.generalise_level)
    query = _query_text(tuple((p.name, p.attributes_at(z, user)) for p in parts), z)
    params = {"z": z, "x": x, "y": y, "prefix": prefix, "band": generalise.band_for_zoom(z)}
    row = db.fetchone(query, params, binary=True)
    return bytes(row[0]) if row and row[0] else b""
