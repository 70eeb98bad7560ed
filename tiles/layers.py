"""The layer registry: modules declare their vector tile layers; ``tiles`` serves whatever is declared.

A module owns its layers: its ``tiles/`` package (``<app>/tiles/__init__.py``) calls ``register(...)``
with a ``VectorLayer`` whose SQL file sits next to it, and its own migration installs the version
triggers for its tables (``tiles.triggers.version_triggers``). ``tiles`` imports those packages once at
start-up (``TilesConfig.ready``) and never names a module's table itself. docs/tiles.md has the recipe.

A layer's SQL returns ``id, geom (ST_AsMVTGeom), attributes...`` for one tile and one scope prefix; the
declaration says which attributes go out at which zoom, the zoom range, who may see it, and which
version sources make its tiles stale.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import roles
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from core.types import AnyUser

SQL_DIR = Path(__file__).resolve().parent / "sql"
MAX_ZOOM = 22  # deepest tile we answer; MapLibre overzooms beyond a source's maxzoom anyway


def read_sql(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _always(user: AnyUser) -> bool:
    return True


@dataclass(frozen=True)
class VectorLayer:
    """One vector layer. ``sql`` (and ``low_zoom_sql``) are paths, usually ``Path(__file__).parent / "x.sql"``
    in the declaring module's ``tiles/`` package."""

    name: str  # URL segment and MVT layer name
    title: str  # Chinese, shown in the layer list
    sql: Path
    minzoom: int
    maxzoom: int  # advertised in TileJSON; deeper requests are still answered (overzoom)
    attributes: dict[int, tuple[str, ...]]  # min zoom -> attributes sent from that zoom on
    sources: tuple[str, ...]  # version sources whose edits make these tiles stale (tiles.triggers)
    public: bool = False  # anonymous visitors may read it (uncut: public data)
    # Who else may read it (a core.roles predicate); the rows are cut to their jurisdiction in any case.
    visibility: Callable[[AnyUser], bool] = roles.is_signed_in
    sql_literals: dict[str, Any] = field(default_factory=dict)  # {name} placeholders; "table" -> identifier
    # An attribute sent only to the readers for whom its condition holds (a core.roles predicate, a
    # deployment setting), checked per request: a tile never carries more than the API shows that reader.
    conditional: dict[str, Callable[[AnyUser], bool]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # TileJSON vector_layers descriptions
    in_base: bool = False  # also a part of the combined "base" layer
    # Boundary levels: below tiles.generalise.RAW_FROM_ZOOM, read this SQL over the coverage-simplified
    # copy of that level (maptiles_generalisedunit) instead of ``sql``.
    generalise_level: int | None = None
    low_zoom_sql: Path | None = None

    def visible_to(self, user: AnyUser) -> bool:
        return self.public or self.visibility(user)

    def declared_attributes_at(self, z: int) -> tuple[str, ...]:
        """Every attribute the layer may send at zoom ``z``, before the per-reader conditions."""
        chosen: tuple[str, ...] = ()
        for minz in sorted(self.attributes):
            if z >= minz:
                chosen = self.attributes[minz]
        return chosen

    def attributes_at(self, z: int, user: AnyUser) -> tuple[str, ...]:
        """The attributes this reader receives at zoom ``z``."""
        return tuple(a for a in self.declared_attributes_at(z) if self.conditional.get(a, _always)(user))

    def sql_for(self, z: int) -> Path:
        from .generalise import RAW_FROM_ZOOM

        if self.generalise_level is not None and self.low_zoom_sql is not None and z < RAW_FROM_ZOOM:
            return self.low_zoom_sql
        return self.sql

    @cached_property
    def fingerprint(self) -> str:
        """Changes when the layer's SQL or declaration changes, so old cached tiles are never served."""
        h = hashlib.sha1(read_sql(self.sql).encode())
        h.update(repr((sorted(self.attributes.items()), sorted(self.sql_literals.items()))).encode())
        if self.low_zoom_sql is not None:
            h.update(read_sql(self.low_zoom_sql).encode())
        return h.hexdigest()[:8]


@dataclass(frozen=True)
class CombinedLayer:
    """Several layers in one tile (the base style): MVT layers concatenate (protobuf repeated field).
    Its parts are the registered layers declared ``in_base``, in registration order."""

    name: str
    title: str
    public: bool = False

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(name for name, layer in vector_layers().items() if layer.in_base)

    def visible_to(self, user: AnyUser) -> bool:
        return self.public or roles.is_signed_in(user)

    def parts_for(self, user: AnyUser) -> list[VectorLayer]:
        layers = vector_layers()
        return [layers[p] for p in self.parts if layers[p].visible_to(user)]

    @property
    def minzoom(self) -> int:
        return min((vector_layers()[p].minzoom for p in self.parts), default=0)

    @property
    def maxzoom(self) -> int:
        return max((vector_layers()[p].maxzoom for p in self.parts), default=MAX_ZOOM)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for p in self.parts for s in vector_layers()[p].sources)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha1("".join(vector_layers()[p].fingerprint for p in self.parts).encode()).hexdigest()[:8]


_VECTOR_LAYERS: dict[str, VectorLayer] = {}
COMBINED_LAYERS: dict[str, CombinedLayer] = {
    # Anonymous visitors get only its public parts.
    "base": CombinedLayer(name="base", title="底图", public=True),
}


def register(layer: VectorLayer) -> VectorLayer:
    """Declare a layer (from a module's ``tiles/`` package). A name is taken once."""
    if layer.name in _VECTOR_LAYERS or layer.name in COMBINED_LAYERS:
        raise ImproperlyConfigured(f"tile layer {layer.name!r} is declared twice")
    for path in (layer.sql, layer.low_zoom_sql):
        if path is not None and not path.is_file():
            raise ImproperlyConfigured(f"tile layer {layer.name!r}: no SQL file {path}")
    _VECTOR_LAYERS[layer.name] = layer
    return layer


def vector_layers() -> dict[str, VectorLayer]:
    """Every declared vector layer by name, in registration (INSTALLED_APPS) order."""
    return _VECTOR_LAYERS


def get_layer(name: str) -> VectorLayer | CombinedLayer | None:
    return _VECTOR_LAYERS.get(name) or COMBINED_LAYERS.get(name)


def all_layers() -> list[VectorLayer | CombinedLayer]:
    return [*_VECTOR_LAYERS.values(), *COMBINED_LAYERS.values()]
