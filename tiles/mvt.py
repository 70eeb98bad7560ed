"""The PostGIS vector-tile backend: composes a layer's reviewed SQL into one ST_AsMVT statement."""
from __future__ import annotations

from functools import cache, lru_cache

from django.conf import settings
from psycopg import sql

from . import db, generalise
from .layers import VECTOR_LAYERS, CombinedLayer, VectorLayer, _read_sql


@cache
def _inner_sql(layer_name: str, sql_file: str, literals: tuple) -> sql.Composable:
    text = _read_sql(sql_file)
    formatted: dict[str, sql.Composable] = {}
    for key, value in literals:
        formatted[key] = sql.Identifier(value) if key == "table" else sql.Literal(value)
    # Keep the file's comments out of the composed statement (they would swallow what follows).
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("--")]
    return sql.SQL("\n".join(lines)).format(**formatted)


def layer_statement(layer: VectorLayer, z: int) -> str:
    use_generalised = layer.generalise_level is not None and z < generalise.RAW_FROM_ZOOM
    return _statement_text(layer.name, layer.attributes_at(z), use_generalised)


def _query_text(layer_names: tuple[str, ...], z: int) -> str:
    """One statement for the tile; several layers' MVTs concatenate (a repeated protobuf field)."""
    statements = [layer_statement(VECTOR_LAYERS[name], z) for name in layer_names]
    return statements[0] if len(statements) == 1 else "SELECT " + " || ".join(f"({s})" for s in statements)


@lru_cache(maxsize=512)
def _statement_text(layer_name: str, attributes: tuple[str, ...], use_generalised: bool) -> str:
    """The composed statement, as text, once per (layer, attributes, geometry source)."""
    layer = VECTOR_LAYERS[layer_name]
    sql_file = "boundary_generalised.sql" if use_generalised else layer.sql
    inner = _inner_sql(layer.name, sql_file, tuple(sorted(layer.sql_literals.items())))
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in ("id", "geom", *attributes))
    return sql.SQL(_wrapper()).format(name=sql.Literal(layer.name), columns=columns, inner=inner).as_string(None)


@lru_cache(maxsize=1)
def _wrapper() -> str:
    return "\n".join(ln for ln in _read_sql("layer.sql").splitlines() if not ln.lstrip().startswith("--"))


def render(layer: VectorLayer | CombinedLayer, parts: list[VectorLayer], z: int, x: int, y: int,
           prefix: str) -> bytes:
    """The tile's bytes (b'' when no feature). ``prefix`` is accounts.scoping.scope_path's value."""
    parts = [p for p in parts if z >= p.minzoom]
    if not parts:
        return b""
    for p in parts:
        if p.generalise_level is not None and z < generalise.RAW_FROM_ZOOM:
            generalise.ensure_fresh(p.generalise_level)
    query = _query_text(tuple(p.name for p in parts), z)
    params = {"z": z, "x": x, "y": y, "prefix": prefix, "band": generalise.band_for_zoom(z),
              "population": bool(settings.POPULATION_ENABLED)}
    row = db.fetchone(query, params, binary=True)
    return bytes(row[0]) if row and row[0] else b""
